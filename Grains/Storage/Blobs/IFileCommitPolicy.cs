using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>The durability steps of a <see cref="FileSystemBlobStore"/> write: one implementation per <see cref="FileSystemDurability"/>.</summary>
internal interface IFileCommitPolicy
{
    /// <summary>Creates <paramref name="directory"/> and its missing parents; durable once a later <see cref="PersistEntriesAsync"/> returns.</summary>
    Task EnsureDirectoryAsync(string directory);

    /// <summary>Called once a file's content is written: lets the policy start its writeback early (never blocks on it).</summary>
    void StartWriteback(SafeFileHandle handle);

    /// <summary>Called on a written temporary file before it is renamed into place.</summary>
    void PersistData(SafeFileHandle handle);

    /// <summary>Called on a file about to be renamed whose data may not be durable yet (a move of a scratch blob).</summary>
    void PersistData(string path);

    /// <summary>Returns once the data and the entries of <paramref name="directory"/> changed before the call are durable.</summary>
    Task PersistEntriesAsync(string directory);
}
