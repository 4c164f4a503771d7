namespace Mirc.Grains.Interfaces.Professionals;

/// <summary>A health professional known to the platform.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ProfessionalProfile")]
public sealed record ProfessionalProfile
{
    /// <summary>RPPS number (grain key).</summary>
    [Id(0)] public required string ProfessionalId { get; init; }

    /// <summary>Display name.</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>Main establishment id.</summary>
    [Id(2)] public string? EstablishmentId { get; init; }

    /// <summary>Roles (e.g. <c>radiologist</c>, <c>physician</c>, <c>admin</c>).</summary>
    [Id(3)] public IReadOnlyList<string> Roles { get; init; } = [];
}
