using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// The files of replaced versions (<see cref="FileSystemBlobStore.WriteIfMatchAsync"/>), kept to hold the next
/// replacement written in the same folder instead of being freed.
/// <para>
/// Why: a replacement renamed over its key frees the replaced version's inode, and every file creation then pays for it:
/// ext4 without a journal (this project's VMs and CI) will not reuse an inode freed within the last minute and scans
/// past each such inode at every creation (<c>find_inode_bit</c>: 14 % of the silo's samples while one-instance studies
/// arrive, each replacing its new patient's record once). Published instead by exchanging the two names
/// (<c>renameat2(RENAME_EXCHANGE)</c>, as atomic as a rename), the replaced version keeps its file, which becomes the next
/// replacement's temporary file: nothing is freed, nothing allocated.
/// </para>
/// <para>
/// A file is handed out again only when that is safe:
/// <list type="bullet">
/// <item>once a <c>syncfs</c> round started after its exchange has completed: before that a crash could bring back the
/// key's former name → file link, and rewriting the file would then show an unacknowledged version at the key;</item>
/// <item>to a writer that gets its exclusive lock: .NET's open takes <c>flock</c> (shared for readers), so a reader
/// still holding the old version keeps its file from being rewritten (the writer takes a new file), and a reader between
/// its open and its lock checks it still holds the file its key names (<see cref="IsStillAt"/>).</item>
/// </list>
/// Bounded (<see cref="PerFolder"/> files per folder, <see cref="MaxFolders"/> folders); pooled files are deleted on
/// disposal, and a crash leaves at most that many dot-files, which listings and backups skip like any temporary file.
/// Linux only; off where the file system cannot exchange names or .NET's file locking is disabled.
/// </para>
/// </summary>
internal sealed class ReplacedVersionFiles : IDisposable
{
    /// <summary>Replaced files kept per folder: about the replacements of one folder in flight at once.</summary>
    public const int PerFolder = 8;

    /// <summary>Folders with kept files (grain states and segments live in a few flat folders).</summary>
    public const int MaxFolders = 256;

    private readonly SharedSyncCommitPolicy _rounds;
    private readonly Dictionary<string, Queue<(string File, long Round)>> _byFolder = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _exchangeRefused;

    private ReplacedVersionFiles(SharedSyncCommitPolicy rounds) => _rounds = rounds;

    /// <summary>A pool for a store flushed by <paramref name="rounds"/>, or null where replaced files cannot be reused safely.</summary>
    public static ReplacedVersionFiles? TryCreate(SharedSyncCommitPolicy? rounds) =>
        rounds is not null && OperatingSystem.IsLinux() && !FileLockingDisabled() ? new ReplacedVersionFiles(rounds) : null;

    /// <summary>A replaced file of <paramref name="directory"/> whose replacement is durable, opened for writing under an exclusive lock; null when there is none.</summary>
    public (string File, SafeFileHandle Handle)? TryTake(string directory)
    {
        while (true)
        {
            string file;
            lock (_gate)
            {
                if (!_byFolder.TryGetValue(directory, out var kept) || kept.Count == 0 || _rounds.RoundsCompleted <= kept.Peek().Round)
                {
                    return null;
                }

                file = kept.Dequeue().File;
            }

            try
            {
                // FileShare.None: flock(LOCK_EX | LOCK_NB), refused while a reader holds the old version.
                return (file, File.OpenHandle(file, FileMode.Open, FileAccess.Write, FileShare.None));
            }
            catch (IOException)
            {
                // Still read, or gone: not reused.
                TryDelete(file);
            }
        }
    }

    /// <summary>
    /// Publishes <paramref name="replacement"/> at <paramref name="path"/> (an existing file) by exchanging the two names;
    /// false when the file system cannot (the caller renames instead). On success <paramref name="replacement"/> names
    /// the replaced version: hand it back with <see cref="Keep"/>.
    /// </summary>
    public bool TryExchange(string replacement, string path)
    {
        if (_exchangeRefused)
        {
            return false;
        }

        if (NativeMethods.renameat2(AtCurrentDirectory, replacement, AtCurrentDirectory, path, RenameExchange) == 0)
        {
            return true;
        }

        if (Marshal.GetLastPInvokeError() is InvalidArgument or NotImplemented or NotSupported)
        {
            _exchangeRefused = true;
        }

        return false;
    }

    /// <summary>Keeps a replaced version's file for a later replacement in <paramref name="directory"/> (deleted when the pool is full).</summary>
    public void Keep(string directory, string file)
    {
        // Read after the exchange: a round numbered above it starts after the exchange, and makes it durable.
        var round = _rounds.RoundsStarted;
        lock (_gate)
        {
            if (!_byFolder.TryGetValue(directory, out var kept) && _byFolder.Count < MaxFolders)
            {
                kept = new Queue<(string, long)>(PerFolder);
                _byFolder.Add(directory, kept);
            }

            if (kept is not null && kept.Count < PerFolder)
            {
                kept.Enqueue((file, round));
                return;
            }
        }

        TryDelete(file);
    }

    /// <summary>
    /// True when <paramref name="handle"/> (a reader's, locked) is the file <paramref name="path"/> names now. A reader
    /// that opened a key's file just before it was replaced, and locked it only after it was reused for another key of
    /// the folder, would otherwise read that key's content.
    /// </summary>
    public static bool IsStillAt(SafeFileHandle handle, string path)
    {
        var buffer = new byte[StatxSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativeMethods.statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxIno, buffer) != 0)
            {
                return false;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        var held = (Inode(buffer), Device(buffer));
        return NativeMethods.statx(AtCurrentDirectory, path, 0, StatxIno, buffer) == 0 && held == (Inode(buffer), Device(buffer));
    }

    /// <summary>Deletes the kept files (the store is closing).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var kept in _byFolder.Values)
            {
                foreach (var (file, _) in kept)
                {
                    TryDelete(file);
                }
            }

            _byFolder.Clear();
        }
    }

    // .NET skips flock when told to (System.IO.DisableFileLocking / DOTNET_SYSTEM_IO_DISABLEFILELOCKING): readers would
    // then not protect the version they read.
    private static bool FileLockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // A leftover dot-file is invisible to readers, listings and backups.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // struct statx has one layout on every architecture: stx_ino at 32, stx_dev_major/minor at 136/140.
    private static ulong Inode(byte[] statx) => BitConverter.ToUInt64(statx, 32);

    private static ulong Device(byte[] statx) => BitConverter.ToUInt64(statx, 136);

    private const int AtCurrentDirectory = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;
    private const uint RenameExchange = 2;
    private const int InvalidArgument = 22;
    private const int NotImplemented = 38;
    private const int NotSupported = 95;

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks.
        [DllImport("libc", SetLastError = true)]
        public static extern int renameat2(int olddirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, int newdirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath, uint flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054
    }
}
