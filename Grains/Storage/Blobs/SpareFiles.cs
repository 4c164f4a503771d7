using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Emptied files the store writes a record's next version into, so that replacing a record neither creates nor frees an
/// inode: the new version is put in place with <c>renameat2(RENAME_EXCHANGE)</c>, which leaves the replaced version at
/// the spare's name, where it is emptied at once and kept for a later replacement.
/// </summary>
/// <remarks>
/// Why: every grain-state rewrite (a manifest segment per stored batch) created a temporary file and freed the replaced
/// one; creating and freeing inodes was a large part of the silo's kernel time during ingest, and on ext4 without a
/// journal each freed inode also costs every later creation a scan (bench/README.md, "Ingest, ninth pass").
/// <para>
/// A reader may still hold the replaced version. So a spare is emptied only through its name (<c>truncate</c>: readers
/// see the change and read again, <see cref="FileSystemBlobStore.TryReadAllAsync"/>), reused only after a quiet period
/// and only under an exclusive lock (a reader's shared lock makes the spare be dropped instead).
/// </para>
/// Linux only; where the file system cannot exchange (probed at start) <see cref="IsEnabled"/> is false and the store
/// renames as before. Spares live in one dot-folder at the root (never listed; skipped by backups as <c>.tmp-</c>
/// files) and are emptied when adopted at start-up, so a crash between an exchange and its emptying leaves no old
/// version behind.
/// </remarks>
internal sealed class SpareFiles
{
    private const int AtCurrentDirectory = -100;
    private const uint RenameExchange = 2;
    private const int NoEntry = 2;
    private readonly string _directory;
    private readonly int _capacity;
    private readonly long _quietMilliseconds;
    private readonly Queue<(string Path, long ReadyAt)> _emptied = new();

    /// <summary>Adopts (emptied) the spares a previous run left under <paramref name="root"/>, and probes the exchange.</summary>
    /// <param name="root">The store's root.</param>
    /// <param name="quiet">How long an emptied spare rests before reuse (a reader of the replaced version is done by then).</param>
    /// <param name="capacity">Spares kept at most; beyond that an emptied one is deleted.</param>
    public SpareFiles(string root, TimeSpan? quiet = null, int capacity = 4096)
    {
        _directory = Path.Combine(root, ".spares");
        _quietMilliseconds = (long)(quiet ?? TimeSpan.FromSeconds(2)).TotalMilliseconds;
        _capacity = capacity;
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Directory.CreateDirectory(_directory);
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            if (_emptied.Count < _capacity && Path.GetFileName(file).StartsWith(".tmp-", StringComparison.Ordinal))
            {
                Empty(file);
                _emptied.Enqueue((file, 0));
            }
            else
            {
                File.Delete(file);
            }
        }

        IsEnabled = ProbeExchange();
    }

    /// <summary>Whether replacements go through spares (Linux, on a file system that exchanges names).</summary>
    public bool IsEnabled { get; private set; }

    /// <summary>Spares held now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_emptied)
            {
                return _emptied.Count;
            }
        }
    }

    /// <summary>
    /// Opens a spare, exclusively, to write a replacement into: a rested emptied one, else a new file in the spares
    /// folder. Null when spares are not used.
    /// </summary>
    public (string Path, SafeFileHandle Handle)? Open(long preallocation)
    {
        if (!IsEnabled)
        {
            return null;
        }

        while (TryTakeRested(out var rested))
        {
            try
            {
                // No O_TRUNC: the exclusive lock is checked first, and the spare is empty already.
                return (rested, File.OpenHandle(rested, FileMode.Open, FileAccess.Write, FileShare.None));
            }
            catch (IOException)
            {
                // A reader still holds the version this file had (its shared lock), or it is gone: not reused.
                TryDelete(rested);
            }
        }

        var created = Path.Combine(_directory, $".tmp-{Guid.NewGuid():N}");
        try
        {
            return (created, File.OpenHandle(created, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocation));
        }
        catch (DirectoryNotFoundException)
        {
            // The folder was removed behind the store's back: created again.
            Directory.CreateDirectory(_directory);
            return (created, File.OpenHandle(created, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocation));
        }
    }

    /// <summary>
    /// Atomically puts the file at <paramref name="spare"/> in place of the existing <paramref name="path"/>, then empties
    /// the replaced version (now at <paramref name="spare"/>) and keeps it. False when the file system refused the
    /// exchange: nothing moved (and, unless the target was simply gone, spares are no longer used).
    /// </summary>
    public bool TryExchange(string spare, string path)
    {
        if (NativeMethods.renameat2(AtCurrentDirectory, spare, AtCurrentDirectory, path, RenameExchange) != 0)
        {
            // ENOENT: the target is gone (only an outside hand: the caller checked it under its lock); anything else
            // (EINVAL, ENOSYS, EXDEV, EOPNOTSUPP): this file system does not exchange.
            IsEnabled &= Marshal.GetLastPInvokeError() == NoEntry;
            return false;
        }

        // The replaced version must not outlive its replacement (an erased patient's record, say): emptied now.
        Return(spare);
        return true;
    }

    /// <summary>Empties <paramref name="spare"/> and keeps it for a later replacement (or deletes it when enough are kept).</summary>
    public void Return(string spare)
    {
        if (!Empty(spare))
        {
            TryDelete(spare);
            return;
        }

        lock (_emptied)
        {
            if (_emptied.Count < _capacity)
            {
                _emptied.Enqueue((spare, Environment.TickCount64 + _quietMilliseconds));
                return;
            }
        }

        TryDelete(spare);
    }

    private bool TryTakeRested(out string spare)
    {
        lock (_emptied)
        {
            if (_emptied.TryPeek(out var head) && head.ReadyAt <= Environment.TickCount64)
            {
                spare = _emptied.Dequeue().Path;
                return true;
            }
        }

        spare = string.Empty;
        return false;
    }

    private static bool Empty(string file) => NativeMethods.truncate(file, 0) == 0;

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: an emptied dot-file in the spares folder is adopted at the next start.
        }
    }

    private bool ProbeExchange()
    {
        var first = Path.Combine(_directory, ".probe-a");
        var second = Path.Combine(_directory, ".probe-b");
        try
        {
            File.WriteAllBytes(first, []);
            File.WriteAllBytes(second, []);
            return NativeMethods.renameat2(AtCurrentDirectory, first, AtCurrentDirectory, second, RenameExchange) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than glibc 2.28.
            return false;
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks.
        [DllImport("libc", SetLastError = true)]
        public static extern int renameat2(int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int truncate([MarshalAs(UnmanagedType.LPUTF8Str)] string path, long length);
#pragma warning restore SYSLIB1054
    }
}
