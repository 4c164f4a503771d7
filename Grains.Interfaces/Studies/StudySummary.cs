namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Small study-level view: attributes, series, counters, status (not the per-instance manifest).</summary>
[GenerateSerializer, Immutable, Alias("mirc.StudySummary")]
public sealed record StudySummary
{
    /// <summary>Study Instance UID.</summary>
    [Id(0)] public required string StudyInstanceUid { get; init; }

    /// <summary>Status.</summary>
    [Id(1)] public StudyStatus Status { get; init; }

    /// <summary>Regional patient id.</summary>
    [Id(2)] public string? PatientId { get; init; }

    /// <summary>Establishment that produced the study (sender of its first instance).</summary>
    [Id(3)] public string? EstablishmentId { get; init; }

    /// <summary>Study Date (DA text).</summary>
    [Id(4)] public string? StudyDate { get; init; }

    /// <summary>Study Description.</summary>
    [Id(5)] public string? StudyDescription { get; init; }

    /// <summary>Accession Number.</summary>
    [Id(6)] public string? AccessionNumber { get; init; }

    /// <summary>Series of the study, in first-received order.</summary>
    [Id(7)] public IReadOnlyList<SeriesSummary> Series { get; init; } = [];

    /// <summary>Number of instances stored.</summary>
    [Id(8)] public int InstanceCount { get; init; }

    /// <summary>Total bytes stored.</summary>
    [Id(9)] public long Size { get; init; }

    /// <summary>Distinct modalities of the series.</summary>
    [Id(10)] public IReadOnlyList<string> Modalities { get; init; } = [];

    /// <summary>Time of the last stored instance (UTC).</summary>
    [Id(11)] public DateTimeOffset? LastReceivedAt { get; init; }

    /// <summary>When the study's first instance was received (UTC): the day its retention period counts from.</summary>
    [Id(12)] public DateTimeOffset? FirstReceivedAt { get; init; }
}
