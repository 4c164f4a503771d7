namespace Mirc.Grains.Storage.Blobs;

/// <summary>How <see cref="FileSystemBlobStore"/> makes a committed write survive a power loss.</summary>
public enum FileSystemDurability
{
    /// <summary><see cref="SharedSync"/> where the platform has <c>syncfs(2)</c> (Linux), else <see cref="PerFile"/>.</summary>
    Auto,

    /// <summary>
    /// fsync of every written file before its rename, then an fsync of its folder (shared by concurrent writers of
    /// that folder): several flushes per blob, each a device cache flush.
    /// </summary>
    PerFile,

    /// <summary>
    /// One <c>syncfs(2)</c> of the data folder's file system per round, shared by every writer whose change was
    /// made before the round started: data, renames and folder entries of all of them become durable together.
    /// Flushes whatever else is dirty on that file system too: give the data folder its own volume in production.
    /// </summary>
    SharedSync,
}
