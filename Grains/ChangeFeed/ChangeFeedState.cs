namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// Where the instance an event names stands now (the Microsoft DICOM server's states), derived when the feed is read
/// from the events after it, so an event is written once and never rewritten.
/// </summary>
public enum ChangeFeedState
{
    /// <summary>No later event names the instance.</summary>
    Current,

    /// <summary>A later Create or Update names the instance.</summary>
    Replaced,

    /// <summary>A later (or this) Delete names the instance.</summary>
    Deleted,
}
