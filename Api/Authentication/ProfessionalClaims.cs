using System.Security.Claims;
using System.Text.Json;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>Maps between token claims and <see cref="ProfessionalPrincipal"/>.</summary>
public static class ProfessionalClaims
{
    /// <summary>Claims of a locally issued token for <paramref name="principal"/>.</summary>
    public static IDictionary<string, object> ToClaims(ProfessionalPrincipal principal, MircClaimNames names)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [names.Subject] = principal.Subject,
            [names.Establishment] = principal.EstablishmentId,
            [names.Role] = MircRoleNames.ToNames(principal.Roles).ToArray(),
            ["amr"] = principal.AuthenticationMethod == "local-password+totp" ? new[] { "pwd", "otp", "mfa" } : new[] { "pwd" },
        };
        if (!string.IsNullOrEmpty(principal.Rpps))
        {
            claims[names.Rpps] = principal.Rpps;
        }

        if (!string.IsNullOrEmpty(principal.DisplayName))
        {
            claims[names.Name] = principal.DisplayName;
        }

        return claims;
    }

    /// <summary>The principal carried by validated claims, or null when the subject, establishment or every role is missing.</summary>
    public static ProfessionalPrincipal? FromClaims(ClaimsPrincipal user, MircClaimNames names, string authenticationMethod)
    {
        var subject = user.FindFirst(names.Subject)?.Value;
        var establishment = user.FindFirst(names.Establishment)?.Value;
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(establishment))
        {
            return null;
        }

        var roles = MircRoleNames.Parse(user.FindAll(names.Role).SelectMany(c => SplitRoleClaim(c.Value)));
        if (roles == MircRoles.None)
        {
            return null;
        }

        return new ProfessionalPrincipal
        {
            Subject = subject,
            Rpps = user.FindFirst(names.Rpps)?.Value,
            EstablishmentId = establishment,
            Roles = roles,
            DisplayName = user.FindFirst(names.Name)?.Value,
            AuthenticationMethod = authenticationMethod,
        };
    }

    private static IEnumerable<string> SplitRoleClaim(string value)
    {
        // Some IdPs put every role in one JSON array claim.
        if (value.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                return document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            }
            catch (JsonException)
            {
                return [];
            }
        }

        return [value];
    }
}
