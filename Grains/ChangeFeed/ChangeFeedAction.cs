namespace Mirc.Grains.ChangeFeed;

/// <summary>What a manifest commit did to an instance.</summary>
public enum ChangeFeedAction
{
    /// <summary>The instance entered a study's manifest (a store acknowledged or about to be).</summary>
    Create,

    /// <summary>Something the feed carries changed without a new store (the study moved to another patient).</summary>
    Update,

    /// <summary>The instance left the manifest (deletion, retention erasure, undo of a failed store).</summary>
    Delete,
}
