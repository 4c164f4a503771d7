namespace Mirc.Api.Authentication;

/// <summary>Scheme and route names of the authentication layer.</summary>
public static class MircAuthenticationDefaults
{
    /// <summary>The default scheme: forwards to <see cref="LocalScheme"/> or <see cref="ExternalScheme"/> by token issuer.</summary>
    public const string Scheme = "Bearer";

    /// <summary>JWT bearer scheme for tokens issued by this platform.</summary>
    public const string LocalScheme = "MircLocal";

    /// <summary>JWT bearer scheme for tokens of the external OpenID Connect provider.</summary>
    public const string ExternalScheme = "MircExternal";

    /// <summary>Token endpoint.</summary>
    public const string TokenPath = "/api/auth/token";

    /// <summary>Public keys of the local issuer (JWKS).</summary>
    public const string JwksPath = "/api/auth/jwks";

    /// <summary>Signing algorithm of local tokens (ECDSA P-256).</summary>
    public const string Algorithm = "ES256";
}
