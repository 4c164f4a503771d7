namespace Mirc.Grains.Interfaces.Security;

/// <summary>Outcome of the one authorization decision.</summary>
/// <param name="IsAllowed">Whether the action may proceed.</param>
/// <param name="Reason">Basis of the permission or cause of the denial.</param>
/// <param name="RequiresReview">True for break-the-glass accesses, which a DPO must review.</param>
[GenerateSerializer, Immutable, Alias("mirc.AccessVerdict")]
public readonly record struct AccessVerdict(
    [property: Id(0)] bool IsAllowed,
    [property: Id(1)] AccessReason Reason,
    [property: Id(2)] bool RequiresReview = false)
{
    /// <summary>An allowed verdict.</summary>
    public static AccessVerdict Allow(AccessReason reason, bool requiresReview = false) => new(true, reason, requiresReview);

    /// <summary>A denied verdict.</summary>
    public static AccessVerdict Deny(AccessReason reason) => new(false, reason);
}
