namespace Mirc.Grains.Interfaces.Security;

/// <summary>
/// Who is acting, as established by authentication (HTTP bearer token, local login, DIMSE AE title / user identity).
/// Passed explicitly to every grain or service that takes an authorization decision.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirc.ProfessionalPrincipal")]
public sealed record ProfessionalPrincipal
{
    /// <summary>Stable subject: local username, IdP <c>sub</c>, or <c>ae:TITLE</c> for a device.</summary>
    [Id(0)] public required string Subject { get; init; }

    /// <summary>National professional id (RPPS), when the party is a professional.</summary>
    [Id(1)] public string? Rpps { get; init; }

    /// <summary>Establishment the party acts for (e.g. FINESS number).</summary>
    [Id(2)] public required string EstablishmentId { get; init; }

    /// <summary>Roles granted.</summary>
    [Id(3)] public MircRoles Roles { get; init; }

    /// <summary>Display name (may be null).</summary>
    [Id(4)] public string? DisplayName { get; init; }

    /// <summary>How the party was authenticated, e.g. <c>local-password+totp</c>, <c>oidc</c>, <c>dimse-ae</c>.</summary>
    [Id(5)] public string AuthenticationMethod { get; init; } = "unknown";

    /// <summary>Key of the professional's care relationships: the RPPS when known, the subject otherwise.</summary>
    public string ProfessionalId => string.IsNullOrEmpty(Rpps) ? Subject : Rpps;

    /// <summary>True when the principal holds at least one of <paramref name="roles"/>.</summary>
    public bool HasAnyRole(MircRoles roles) => (Roles & roles) != 0;

    /// <summary>A device (modality / PACS) of <paramref name="establishmentId"/> known by its calling AE title.</summary>
    public static ProfessionalPrincipal ForDevice(string aeTitle, string establishmentId) => new()
    {
        Subject = "ae:" + aeTitle,
        EstablishmentId = establishmentId,
        Roles = MircRoles.Device,
        DisplayName = aeTitle,
        AuthenticationMethod = "dimse-ae",
    };
}
