using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mirc.Grains.Observability;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// <see cref="FileSystemDurability.SharedSync"/>: a dedicated thread runs <c>syncfs(2)</c> rounds on the root's file
/// system while callers wait. A caller is released by the first round that starts after its call, so every change it
/// made before the call (file data, renames, new folders, deletions) is durable; all callers arriving during a round
/// share the next one. With N concurrent writers this costs one device flush per round instead of 2–3 per write, and
/// no thread-pool thread ever blocks in a flush.
/// </summary>
internal sealed class SharedSyncCommitPolicy : IFileCommitPolicy, IDisposable
{
    private const int ReadOnly = 0;
    private const uint SyncFileRangeWrite = 2;
    private readonly int _rootFd;
    private readonly Lock _gate = new();
    // Blocks without spinning: SemaphoreSlim.Wait spins (sched_yield) before it sleeps, and between rounds this thread
    // is idle most of the time — ~14 yields per one-instance study, CPU taken from the threads doing the work.
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly Func<int, int> _syncfs;
    private TaskCompletionSource? _next;
    private bool _disposed;

    /// <param name="root">The blob root (any folder of the file system to flush).</param>
    /// <param name="syncfs">Replaces <c>syncfs(2)</c> (tests: a round that blocks until released).</param>
    public SharedSyncCommitPolicy(string root, Func<int, int>? syncfs = null)
    {
        _syncfs = syncfs ?? NativeMethods.syncfs;
        _rootFd = NativeMethods.open(root, ReadOnly);
        if (_rootFd < 0)
        {
            throw new IOException($"Cannot open the blob root '{root}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        _thread = new Thread(RunRounds) { IsBackground = true, Name = "Mirc syncfs" };
        _thread.Start();
    }

    public bool DataFlushCoversEntries => true;

    /// <summary>True where <c>syncfs(2)</c> exists.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// The device (major, minor) of the file system holding <paramref name="path"/> (<c>statx(2)</c>), or null when it
    /// cannot be told: two paths with the same device are flushed by the same <c>syncfs</c>.
    /// </summary>
    public static (uint Major, uint Minor)? DeviceOf(string path)
    {
        if (!IsSupported || Statx.Read(path, followLink: true, mask: 0).Entry is not { } entry)
        {
            return null;
        }

        return (Statx.Field(entry, Statx.DeviceMajor), Statx.Field(entry, Statx.DeviceMinor));
    }

    public Task EnsureDirectoryAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Starts writing the file's dirty pages now (sync_file_range WRITE: queues them, does not wait), so the round
    /// that later makes it durable finds them written or in flight instead of writing every in-flight blob itself.
    /// </summary>
    public void StartWriteback(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = NativeMethods.sync_file_range((int)handle.DangerousGetHandle(), 0, 0, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public Task PersistDataAsync(SafeFileHandle handle) => PersistAllAsync();

    public Task PersistDataAsync(string path) => PersistAllAsync();

    public Task PersistEntriesAsync(string directory) => PersistAllAsync();

    /// <summary>Returns once everything written to the file system before the call is durable.</summary>
    public Task PersistAllAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_next is null)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _wake.Set();
            }

            return _next.Task;
        }
    }

    private void RunRounds()
    {
        while (true)
        {
            _wake.WaitOne();
            TaskCompletionSource? round;
            bool disposed;
            lock (_gate)
            {
                round = _next;
                _next = null;
                disposed = _disposed;
            }

            // The event holds one signal: a round requested just before the disposal shares the wake-up, so it runs
            // before the thread ends (no round can be requested after it).
            if (round is not null)
            {
                var startedAt = Stopwatch.GetTimestamp();
                var synced = _syncfs(_rootFd) == 0;
                var error = synced ? 0 : Marshal.GetLastPInvokeError(); // read before anything else calls out
                ArchiveMetrics.FlushRoundEnded(startedAt);
                if (synced)
                {
                    round.TrySetResult();
                }
                else
                {
                    round.TrySetException(new IOException($"syncfs of the blob store failed (errno {error}): recent writes may not be durable."));
                }
            }

            if (disposed)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _wake.Set();
        }

        _thread.Join();
        _ = NativeMethods.close(_rootFd);
        _wake.Dispose();
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int syncfs(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
#pragma warning restore SYSLIB1054
    }
}
