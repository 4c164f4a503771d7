namespace Mirc.Grains.Interfaces.Security;

/// <summary>Identity and rights of a local account (embedded deployments without an external IdP).</summary>
[GenerateSerializer, Immutable, Alias("mirc.LocalAccountProfile")]
public sealed record LocalAccountProfile
{
    /// <summary>Username (grain key, lower-case).</summary>
    [Id(0)] public required string Username { get; init; }

    /// <summary>Establishment the account acts for.</summary>
    [Id(1)] public required string EstablishmentId { get; init; }

    /// <summary>Roles.</summary>
    [Id(2)] public MircRoles Roles { get; init; }

    /// <summary>National professional id (RPPS), when the account is a professional's.</summary>
    [Id(3)] public string? Rpps { get; init; }

    /// <summary>Display name.</summary>
    [Id(4)] public string? DisplayName { get; init; }

    /// <summary>Disabled accounts cannot log in.</summary>
    [Id(5)] public bool Disabled { get; init; }
}
