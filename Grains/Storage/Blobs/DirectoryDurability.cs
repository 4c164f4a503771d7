using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Makes directory entries durable: an fsync of the directory after a rename or a creation, so a committed blob
/// survives a power loss (POSIX only; elsewhere the file-system journal is relied on).
/// </summary>
internal sealed class DirectoryDurability
{
    private const int ReadOnly = 0;

    // Creations in progress: a writer that sees the directory already exists still waits for its parent's fsync.
    private readonly ConcurrentDictionary<string, Lazy<Task>> _creating = new(StringComparer.Ordinal);
    private readonly string _root;

    public DirectoryDurability(string root)
    {
        _root = root;
    }

    /// <summary>Creates <paramref name="directory"/> (inside the root) and its missing parents, each made durable.</summary>
    public Task EnsureExistsAsync(string directory)
    {
        if (Directory.Exists(directory))
        {
            return _creating.TryGetValue(directory, out var pending) ? pending.Value : Task.CompletedTask;
        }

        var lazy = _creating.GetOrAdd(directory, d => new Lazy<Task>(() => CreateAsync(d)));
        return lazy.Value;
    }

    private async Task CreateAsync(string directory)
    {
        try
        {
            var parent = Path.GetDirectoryName(directory);
            if (parent is not null && parent.Length > _root.Length)
            {
                await EnsureExistsAsync(parent).ConfigureAwait(false);
            }

            Directory.CreateDirectory(directory);
            if (parent is not null)
            {
                Flush(parent);
            }
        }
        finally
        {
            _creating.TryRemove(directory, out _);
        }
    }

    private readonly Dictionary<string, FlushSlot> _flushes = new(StringComparer.Ordinal);

    /// <summary>
    /// Persists the entries of <paramref name="directory"/> changed before this call. Concurrent callers share
    /// fsyncs: a caller arriving while one runs waits for the next one (which starts after its change), and all
    /// callers arriving meanwhile share that next one, so a hot folder (staging) costs one fsync per round, not per write.
    /// </summary>
    public Task FlushAsync(string directory)
    {
        lock (_flushes)
        {
            if (!_flushes.TryGetValue(directory, out var slot))
            {
                slot = new FlushSlot();
                _flushes[directory] = slot;
            }

            if (slot.Running)
            {
                slot.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return slot.Next.Task;
            }

            slot.Running = true;
            var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = Task.Run(() => RunFlushes(directory, slot, round));
            return round.Task;
        }
    }

    private void RunFlushes(string directory, FlushSlot slot, TaskCompletionSource round)
    {
        while (true)
        {
            try
            {
                Flush(directory);
                round.TrySetResult();
            }
            catch (Exception e)
            {
                round.TrySetException(e);
            }

            lock (_flushes)
            {
                if (slot.Next is null)
                {
                    slot.Running = false;
                    _flushes.Remove(directory);
                    return;
                }

                round = slot.Next;
                slot.Next = null;
            }
        }
    }

    /// <summary>fsync of a directory (persists renames, creations and deletions of its entries).</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private sealed class FlushSlot
    {
        public bool Running;
        public TaskCompletionSource? Next;
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this team does not own.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
