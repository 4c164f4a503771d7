using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Authentication;

/// <summary>
/// <see cref="IBearerTokenValidator"/> for non-HTTP callers (DIMSE user identity): the same rules as the HTTP bearer
/// schemes, local issuer first, then the external provider when configured.
/// </summary>
internal sealed class BearerTokenValidator(
    IOptions<MircAuthOptions> options,
    IOptionsMonitor<JwtBearerOptions> bearerOptions,
    SigningKeyRing keys) : IBearerTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <inheritdoc />
    public async Task<ProfessionalPrincipal?> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var settings = options.Value;
        var local = await _handler.ValidateTokenAsync(token, JwtBearerOptionsSetup.LocalValidationParameters(settings, keys)).ConfigureAwait(false);
        if (local.IsValid)
        {
            return ProfessionalClaims.FromClaims(new ClaimsPrincipal(local.ClaimsIdentity), settings.Claims, "local-password+totp");
        }

        if (string.IsNullOrWhiteSpace(settings.Authority))
        {
            return null;
        }

        var external = bearerOptions.Get(MircAuthenticationDefaults.ExternalScheme);
        if (external.ConfigurationManager is null)
        {
            return null;
        }

        var configuration = await external.ConfigurationManager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        var parameters = external.TokenValidationParameters.Clone();
        parameters.ValidIssuer = configuration.Issuer;
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        return result.IsValid ? ProfessionalClaims.FromClaims(new ClaimsPrincipal(result.ClaimsIdentity), settings.Claims, "oidc") : null;
    }
}
