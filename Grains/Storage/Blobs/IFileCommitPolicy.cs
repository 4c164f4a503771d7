using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>The durability steps of a <see cref="FileSystemBlobStore"/> write: one implementation per <see cref="FileSystemDurability"/>.</summary>
internal interface IFileCommitPolicy
{
    /// <summary>
    /// True when a <see cref="PersistDataAsync(SafeFileHandle)"/> also persists folder entries changed before it
    /// (a file-system-wide flush), so a write that needs both pays one wait.
    /// </summary>
    bool DataFlushCoversEntries { get; }

    /// <summary>Creates <paramref name="directory"/> and its missing parents; durable once a later <see cref="PersistEntriesAsync"/> returns.</summary>
    Task EnsureDirectoryAsync(string directory);

    /// <summary>Called once a file's content is written: lets the policy start its writeback early (never blocks on it).</summary>
    void StartWriteback(SafeFileHandle handle);

    /// <summary>
    /// Returns once the data of a written file is durable. Called before a rename publishes the file over a name:
    /// an atomic replace must never publish a name whose data a crash could still lose.
    /// </summary>
    Task PersistDataAsync(SafeFileHandle handle);

    /// <summary>As <see cref="PersistDataAsync(SafeFileHandle)"/> for a file known by its path (a blob about to be moved).</summary>
    Task PersistDataAsync(string path);

    /// <summary>Returns once the entries of <paramref name="directory"/> changed before the call (renames, creations, deletions) are durable.</summary>
    Task PersistEntriesAsync(string directory);
}
