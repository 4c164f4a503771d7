using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Interfaces.Operations;

/// <summary>
/// Operator commands that need silo-side services (the <c>admin</c> subcommands of the silo executable call it through
/// the Orleans gateway). Key: 0.
/// </summary>
[Alias("mirc.IOperatorGrain")]
public interface IOperatorGrain : IGrainWithIntegerKey
{
    /// <summary>Re-checks the whole audit hash chain (the verification itself is audited).</summary>
    [Alias("VerifyAudit")]
    Task<AuditVerification> VerifyAuditAsync();

    /// <summary>
    /// Rebuilds the query index for up to <paramref name="maxStudies"/> studies of the change feed whose first event
    /// comes after <paramref name="cursor"/> (0: from the start), from their manifests and stored headers.
    /// </summary>
    [Alias("Reindex")]
    Task<ReindexProgress> ReindexAsync(long cursor, int maxStudies);

    /// <summary>
    /// Appends Create events to the change feed for the stored studies it does not name (stored before it existed, or
    /// after it was lost), walking the stored study manifests; the change-feed follower then projects them.
    /// </summary>
    [Alias("BackfillChangeFeed")]
    Task<ChangeFeedBackfillReport> BackfillChangeFeedAsync();

    /// <summary>The change-feed follower's checkpoints against the feed's head, one line per projection.</summary>
    [Alias("ChangeFeedFollowerStatus")]
    Task<IReadOnlyList<string>> ChangeFeedFollowerStatusAsync();
}
