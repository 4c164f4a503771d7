namespace Mirc.Grains.Interfaces.Research;

/// <summary>
/// Which instances a research project takes, as criteria over the query index. Each list is "any of" (empty = no
/// restriction); the criteria combine with "and". Dates are DA <c>YYYYMMDD</c>, both ends included.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirc.CohortCriteria")]
public sealed record CohortCriteria
{
    /// <summary>Modalities of the series (e.g. <c>CT</c>, <c>MR</c>).</summary>
    [Id(0)] public IReadOnlyList<string> Modalities { get; init; } = [];

    /// <summary>First study date, or null.</summary>
    [Id(1)] public string? StudyDateFrom { get; init; }

    /// <summary>Last study date, or null.</summary>
    [Id(2)] public string? StudyDateTo { get; init; }

    /// <summary>Body Part Examined of the series (e.g. <c>CHEST</c>).</summary>
    [Id(3)] public IReadOnlyList<string> BodyParts { get; init; } = [];

    /// <summary>Producing establishments.</summary>
    [Id(4)] public IReadOnlyList<string> EstablishmentIds { get; init; } = [];
}
