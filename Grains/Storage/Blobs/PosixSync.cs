using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>The flush system calls the filesystem blob store needs (blocking: call them on <see cref="SyncThreads"/>).</summary>
internal static class PosixSync
{
    private const int ReadOnly = 0;

    /// <summary>
    /// Makes a file's data durable. Linux: <c>fdatasync</c>, which also persists the size and block map (what a
    /// reader needs) but skips the timestamps, saving a metadata write per blob. Elsewhere: a full flush.
    /// </summary>
    public static void Data(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        if (NativeMethods.fdatasync(handle) != 0)
        {
            throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>fsync of a directory (persists renames, creations and deletions of its entries). No-op on Windows.</summary>
    public static void Directory(string directory)
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

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this team does not own.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fdatasync(SafeFileHandle fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
