using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Mirc.Api.Access;
using Mirc.Grains.Security;

namespace Mirc.Api.Authentication;

/// <summary>Registration of HTTP authentication (JWT bearer, local token endpoint) on top of the security services.</summary>
public static class MircAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds bearer authentication (scheme <see cref="MircAuthenticationDefaults.Scheme"/>: local ES256 tokens and,
    /// when <c>Mirc:Auth:Authority</c> is set, the external OpenID Connect provider), the policies of
    /// <see cref="MircPolicies"/>, the signing key ring, the token issuer, <see cref="IBearerTokenValidator"/> for DIMSE,
    /// and <c>AddMircSecurity</c> (access control, consent, audit). Options <c>Mirc:Auth</c> are validated at start-up.
    /// </summary>
    public static IServiceCollection AddMircAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMircSecurity(configuration);
        services.TryAddSingleton(TimeProvider.System);

        var dataPath = configuration["Mirc:DataPath"] ?? "./data";
        services.AddOptions<MircAuthOptions>()
            .Bind(configuration.GetSection(MircAuthOptions.Section))
            .PostConfigure(o => o.KeyPath ??= Path.Combine(dataPath, "security", "signing-keys.json"))
            .Validate(o => Validator.TryValidateObject(o, new ValidationContext(o), null, true)
                && Validator.TryValidateObject(o.Claims, new ValidationContext(o.Claims), null, true),
                "Mirc:Auth: Issuer, Audience and claim names are required; TokenLifetime 1 min-12 h; ClockSkew up to 5 min")
            .Validate(o => string.IsNullOrWhiteSpace(o.Authority)
                || (Uri.TryCreate(o.Authority, UriKind.Absolute, out var authority) && (authority.Scheme == Uri.UriSchemeHttps || !o.RequireHttpsMetadata)),
                "Mirc:Auth:Authority must be an absolute https URL")
            .Validate(o => !string.Equals(o.Issuer, o.Authority?.TrimEnd('/'), StringComparison.Ordinal),
                "Mirc:Auth:Issuer must differ from the external Authority")
            .ValidateOnStart();

        services.TryAddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRingLoader>();
        services.TryAddSingleton<LocalTokenIssuer>();
        services.AddSingleton<IBearerTokenValidator, BearerTokenValidator>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerOptionsSetup>();

        // Replaces the archive-wide default whether AddMircApi runs before (last registration wins) or after (it uses TryAdd).
        services.AddSingleton<IDicomWebAccessPolicy, SecureDicomWebAccessPolicy>();

        var auth = configuration.GetSection(MircAuthOptions.Section);
        var hasExternal = !string.IsNullOrWhiteSpace(auth["Authority"]);
        var localIssuer = auth["Issuer"] ?? new MircAuthOptions().Issuer;
        var builder = services.AddAuthentication(MircAuthenticationDefaults.Scheme)
            .AddPolicyScheme(MircAuthenticationDefaults.Scheme, "MIRC bearer", o =>
            {
                o.ForwardDefaultSelector = context => hasExternal && !IsLocalToken(context.Request.Headers.Authorization.ToString(), localIssuer)
                    ? MircAuthenticationDefaults.ExternalScheme
                    : MircAuthenticationDefaults.LocalScheme;
            })
            .AddJwtBearer(MircAuthenticationDefaults.LocalScheme, _ => { });
        if (hasExternal)
        {
            builder.AddJwtBearer(MircAuthenticationDefaults.ExternalScheme, _ => { });
        }

        services.AddAuthorization(MircPolicies.Register);
        return services;
    }

    private static bool IsLocalToken(string authorization, string localIssuer)
    {
        const string prefix = "Bearer ";
        if (!authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            // Routing only: the chosen scheme validates signature, issuer and audience.
            var token = new JsonWebToken(authorization[prefix.Length..].Trim());
            return string.Equals(token.Issuer, localIssuer, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
