using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mirc.Api.Authentication;

/// <summary>Configures the local and external JWT bearer schemes from <see cref="MircAuthOptions"/>.</summary>
internal sealed class JwtBearerOptionsSetup(IOptions<MircAuthOptions> options, SigningKeyRing keys) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <inheritdoc />
    public void Configure(string? name, JwtBearerOptions jwt)
    {
        var settings = options.Value;
        jwt.MapInboundClaims = false;
        jwt.SaveToken = false;
        jwt.IncludeErrorDetails = false;
        if (name == MircAuthenticationDefaults.LocalScheme)
        {
            jwt.TokenValidationParameters = LocalValidationParameters(settings, keys);
            jwt.Events = PrincipalEvents(settings, "local-password+totp");
        }
        else if (name == MircAuthenticationDefaults.ExternalScheme && !string.IsNullOrWhiteSpace(settings.Authority))
        {
            jwt.Authority = settings.Authority;
            jwt.Audience = settings.Audience;
            jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidAudience = settings.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = settings.ClockSkew,
                NameClaimType = settings.Claims.Subject,
                RoleClaimType = settings.Claims.Role,
                CryptoProviderFactory = RememberedSignatures.Shared,
            };
            jwt.Events = PrincipalEvents(settings, "oidc");
        }
    }

    /// <inheritdoc />
    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>Validation rules of locally issued tokens (also used for DIMSE JWT identities).</summary>
    internal static TokenValidationParameters LocalValidationParameters(MircAuthOptions settings, SigningKeyRing keys) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = settings.Issuer,
        ValidateAudience = true,
        ValidAudience = settings.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        // Resolved per token so a rotation (or a retirement) applies without restart.
        IssuerSigningKeyResolver = (_, _, kid, _) => kid is null ? keys.ValidationKeys : keys.ValidationKeys.Where(k => k.KeyId == kid),
        ClockSkew = settings.ClockSkew,
        NameClaimType = settings.Claims.Subject,
        RoleClaimType = settings.Claims.Role,
        CryptoProviderFactory = RememberedSignatures.Shared,
    };

    private static JwtBearerEvents PrincipalEvents(MircAuthOptions settings, string method) => new()
    {
        OnTokenValidated = context =>
        {
            var principal = context.Principal is null ? null : ProfessionalClaims.FromClaims(context.Principal, settings.Claims, method);
            if (principal is null)
            {
                context.Fail("The token lacks the subject, establishment or role claims.");
            }
            else
            {
                context.HttpContext.Features.Set(new ProfessionalPrincipalFeature(principal));
            }

            return Task.CompletedTask;
        },
    };
}
