using System.Text.Json.Serialization;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.ChangeFeed;

/// <summary>One event of the change feed (the shape of the Microsoft DICOM server's change feed entries, metadata omitted).</summary>
public sealed record ChangeFeedEvent
{
    /// <summary>Global order: strictly increasing in commit order; 0 on an event not yet appended.</summary>
    public long Sequence { get; init; }

    /// <summary>When the event was appended (UTC, millisecond precision).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>What happened.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ChangeFeedAction>))]
    public ChangeFeedAction Action { get; init; }

    /// <summary>Where the instance stands now (computed on read).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ChangeFeedState>))]
    public ChangeFeedState State { get; init; }

    /// <summary>Producing establishment of the study (who may read the event besides platform-wide readers).</summary>
    public required string EstablishmentId { get; init; }

    /// <summary>Regional patient id of the study, when known.</summary>
    public string? PatientId { get; init; }

    /// <summary>
    /// The event of <paramref name="entry"/> in study <paramref name="studyInstanceUid"/>: credited to the study's
    /// establishment (the instance's when the study has none yet), so the feed scopes every event of a study alike —
    /// whether the manifest commit appended it or a backfill did.
    /// </summary>
    public static ChangeFeedEvent Of(string studyInstanceUid, InstanceEntry entry, ChangeFeedAction action, string? studyEstablishmentId, string? patientId) => new()
    {
        StudyInstanceUid = studyInstanceUid,
        SeriesInstanceUid = entry.SeriesInstanceUid,
        SopInstanceUid = entry.SopInstanceUid,
        Action = action,
        EstablishmentId = studyEstablishmentId ?? entry.EstablishmentId,
        PatientId = patientId,
    };
}
