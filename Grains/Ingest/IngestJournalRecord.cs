using System.Text.Json.Serialization;

namespace Mirc.Grains.Ingest;

/// <summary>
/// One ingest intent: the final blob and who sent it (enough to redo the registrations from the blob). An ingest's intent
/// also names its staged upload (<paramref name="StagedName"/>, in the journal's own container) with the length and digest
/// received: it is made durable with the staged data, before the promotion, so the reconciliation can finish a promotion
/// a crash lost and can tell a blob whose data did not reach the disk (older intents carry none of the three). An ingest
/// that wrote its bytes at the final name directly (a store whose moves copy) names no staged upload, only length and digest.
/// <paramref name="LocalPatientKey"/> (the <see cref="Interfaces.Patients.LocalPatientId.IndexKey"/> of the instance's
/// patient) lets the reconciliation of an intent it drops take the study back out of a new patient's record created
/// listing it.
/// </summary>
internal sealed record IngestJournalRecord(
    string FinalContainer,
    string FinalName,
    string EstablishmentId,
    string? CallingAeTitle,
    string? ProfessionalId,
    DateTimeOffset ReceivedAt,
    string? StagedName = null,
    long? Length = null,
    string? Digest = null,
    string? LocalPatientKey = null);

/// <summary>Source-generated JSON for <see cref="IngestJournalRecord"/>.</summary>
[JsonSerializable(typeof(IngestJournalRecord[]))]
internal sealed partial class IngestJournalJson : JsonSerializerContext;
