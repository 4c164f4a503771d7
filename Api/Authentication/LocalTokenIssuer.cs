using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>Issues access tokens (ES256 JWT, <c>kid</c> of the active key) for locally authenticated principals.</summary>
public sealed class LocalTokenIssuer(SigningKeyRing keys, IOptions<MircAuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A signed token and its lifetime; rotates the signing key first when its rotation is due.</summary>
    public async Task<(string Token, TimeSpan Lifetime)> IssueAsync(ProfessionalPrincipal principal, CancellationToken cancellationToken)
    {
        if (keys.IsRotationDue)
        {
            await keys.RotateAsync(cancellationToken).ConfigureAwait(false);
        }

        return Issue(principal);
    }

    /// <summary>A token signed with the active key as it is now (no rotation).</summary>
    public (string Token, TimeSpan Lifetime) Issue(ProfessionalPrincipal principal)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var claims = ProfessionalClaims.ToClaims(principal, settings.Claims);
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N");
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.TokenLifetime,
            Claims = claims,
            SigningCredentials = keys.SigningCredentials,
        };
        return (_handler.CreateToken(descriptor), settings.TokenLifetime);
    }
}
