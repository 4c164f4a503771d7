using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary><see cref="FileSystemDurability.PerFile"/>: fsync of each file, then of its folder (folder fsyncs shared).</summary>
internal sealed class PerFileCommitPolicy(string root) : IFileCommitPolicy
{
    private readonly DirectoryDurability _directories = new(root);

    public bool DataFlushCoversEntries => false;

    public Task EnsureDirectoryAsync(string directory) => _directories.EnsureExistsAsync(directory);

    public void StartWriteback(SafeFileHandle handle)
    {
        // The fsync before the rename writes the data.
    }

    public Task PersistDataAsync(SafeFileHandle handle)
    {
        RandomAccess.FlushToDisk(handle);
        return Task.CompletedTask;
    }

    public Task PersistDataAsync(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.FlushToDisk(handle);
        return Task.CompletedTask;
    }

    public Task PersistEntriesAsync(string directory) => _directories.FlushAsync(directory);
}
