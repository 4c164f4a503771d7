namespace Mirc.Grains.Storage.Replication;

/// <summary>When a write to the archive is acknowledged with respect to the second site.</summary>
public enum ReplicationMode
{
    /// <summary>
    /// A write returns once both sites hold it. While the second site is unreachable, writes are acknowledged on the
    /// first site alone and queued; the catch-up copies them once it answers again (the backlog and its lag are measured).
    /// </summary>
    Synchronous = 0,

    /// <summary>A write returns once the first site holds it; the catch-up copies it to the second site right after (bounded, measured lag).</summary>
    Asynchronous = 1,
}
