namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>An establishment's configuration.</summary>
[GenerateSerializer, Immutable, Alias("mirc.EstablishmentProfile")]
public sealed record EstablishmentProfile
{
    /// <summary>Establishment id (FINESS number), the grain key.</summary>
    [Id(0)] public required string EstablishmentId { get; init; }

    /// <summary>Display name.</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>Application entities.</summary>
    [Id(2)] public IReadOnlyList<AeTitleEntry> AeTitles { get; init; } = [];

    /// <summary>Professionals and their roles.</summary>
    [Id(3)] public IReadOnlyList<EstablishmentMember> Members { get; init; } = [];

    /// <summary>Retention of its studies, in years.</summary>
    [Id(4)] public int RetentionYears { get; init; } = 20;

    /// <summary>Sharing policy of its studies.</summary>
    [Id(5)] public SharingPolicy Sharing { get; init; } = SharingPolicy.CareRelationship;
}
