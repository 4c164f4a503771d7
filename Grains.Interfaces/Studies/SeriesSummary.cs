namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Series-level attributes and counters of a study.</summary>
[GenerateSerializer, Immutable, Alias("mirc.SeriesSummary")]
public sealed record SeriesSummary
{
    /// <summary>Series Instance UID.</summary>
    [Id(0)] public required string SeriesInstanceUid { get; init; }

    /// <summary>Modality (0008,0060).</summary>
    [Id(1)] public string? Modality { get; init; }

    /// <summary>Series Number (0020,0011).</summary>
    [Id(2)] public int? SeriesNumber { get; init; }

    /// <summary>Series Description (0008,103E).</summary>
    [Id(3)] public string? SeriesDescription { get; init; }

    /// <summary>Number of instances stored.</summary>
    [Id(4)] public int InstanceCount { get; init; }

    /// <summary>Total bytes stored.</summary>
    [Id(5)] public long Size { get; init; }
}
