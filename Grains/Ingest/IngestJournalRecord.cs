using System.Text.Json.Serialization;

namespace Mirc.Grains.Ingest;

/// <summary>One ingest intent: the final blob and who sent it (enough to redo the registrations from the blob).</summary>
internal sealed record IngestJournalRecord(
    string FinalContainer,
    string FinalName,
    string EstablishmentId,
    string? CallingAeTitle,
    string? ProfessionalId,
    DateTimeOffset ReceivedAt);

/// <summary>Source-generated JSON for <see cref="IngestJournalRecord"/>.</summary>
[JsonSerializable(typeof(IngestJournalRecord[]))]
internal sealed partial class IngestJournalJson : JsonSerializerContext;
