namespace Mirc.Grains.Interfaces.Research;

/// <summary>Where an export stands.</summary>
public enum ResearchExportStatus
{
    /// <summary>Selecting the cohort.</summary>
    Queued = 0,

    /// <summary>De-identifying and writing instances.</summary>
    Running = 1,

    /// <summary>Every instance handled, none failed.</summary>
    Completed = 2,

    /// <summary>Finished with failed instances, or stopped by an error.</summary>
    Failed = 3,

    /// <summary>The destination is unavailable: the export waits and retries its current batch, nothing is lost or sent twice.</summary>
    Waiting = 4,
}
