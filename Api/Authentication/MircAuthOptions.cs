using System.ComponentModel.DataAnnotations;

namespace Mirc.Api.Authentication;

/// <summary>HTTP authentication settings (section <c>Mirc:Auth</c>), validated at start-up.</summary>
public sealed class MircAuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Auth";

    /// <summary>Issuer (<c>iss</c>) of the tokens this platform issues for local accounts.</summary>
    [Required]
    public string Issuer { get; set; } = "mirc";

    /// <summary>Audience (<c>aud</c>) every accepted token must carry (local and external).</summary>
    [Required]
    public string Audience { get; set; } = "mirc-api";

    /// <summary>
    /// OpenID Connect authority of the external identity provider (production: the national professional IdP);
    /// its discovery document gives the issuer and signing keys. Empty: only local tokens are accepted.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Client id the portal signs in with at <see cref="Authority"/> (a public client: authorization code + PKCE, redirect
    /// URI = the portal's origin + <c>/</c>). Empty: the portal offers local accounts only.
    /// </summary>
    [MaxLength(200)]
    public string? PortalClientId { get; set; }

    /// <summary>Scopes the portal asks the authority for.</summary>
    [Required, MaxLength(500)]
    public string PortalScope { get; set; } = "openid";

    /// <summary>Require HTTPS for the authority's metadata (only tests may turn it off).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Whether the built-in token endpoint for local accounts is enabled.</summary>
    public bool LocalAccounts { get; set; } = true;

    /// <summary>Lifetime of issued access tokens.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Tolerated clock difference when validating lifetimes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>File holding the signing keys; default <c>{Mirc:DataPath}/security/signing-keys.json</c>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Rotate the active signing key automatically when it is older than this.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Names of the claims carrying the principal (external IdPs may use other names).</summary>
    [Required]
    public MircClaimNames Claims { get; set; } = new();
}

/// <summary>Claim names mapped to the principal.</summary>
public sealed class MircClaimNames
{
    /// <summary>Subject.</summary>
    [Required]
    public string Subject { get; set; } = "sub";

    /// <summary>National professional id (RPPS).</summary>
    [Required]
    public string Rpps { get; set; } = "rpps";

    /// <summary>Establishment id.</summary>
    [Required]
    public string Establishment { get; set; } = "establishment";

    /// <summary>Roles (one claim per role, or a JSON array).</summary>
    [Required]
    public string Role { get; set; } = "role";

    /// <summary>Display name.</summary>
    [Required]
    public string Name { get; set; } = "name";
}
