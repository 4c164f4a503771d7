using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>Outcome of validating an association's identity.</summary>
/// <param name="Principal">The principal to use for every operation of the association; null when rejected.</param>
/// <param name="FailureReason">Why it was rejected (for logs; do not send to the peer).</param>
public sealed record DimseIdentityResult(ProfessionalPrincipal? Principal, string? FailureReason)
{
    /// <summary>Whether the association may proceed.</summary>
    public bool IsAccepted => Principal is not null;

    /// <summary>Accepted.</summary>
    public static DimseIdentityResult Accept(ProfessionalPrincipal principal) => new(principal, null);

    /// <summary>Rejected.</summary>
    public static DimseIdentityResult Reject(string reason) => new(null, reason);
}
