using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>
/// Validates a bearer JWT into a principal (same rules as HTTP). Implemented by the HTTP layer
/// (<c>Mirc.Api.Authentication</c>), which owns the token configuration; absent, JWT user identities are refused.
/// </summary>
public interface IBearerTokenValidator
{
    /// <summary>The principal, or null when the token is invalid (signature, issuer, audience, lifetime, claims).</summary>
    Task<ProfessionalPrincipal?> ValidateAsync(string token, CancellationToken cancellationToken = default);
}
