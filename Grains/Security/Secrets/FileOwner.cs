using System.Runtime.InteropServices;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Which account owns a file system entry (Linux): .NET reads an entry's mode but not its owner. Read with
/// <c>statx(2)</c>, whose structure is the same on every architecture (that of <c>stat</c> is not).
/// </summary>
public static class FileOwner
{
    private const int CurrentFolder = -100; // AT_FDCWD
    private const int LinkNotFollowed = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint UidWanted = 0x8; // STATX_UID
    private const int StatxSize = 256;
    private const int UidOffset = 20; // stx_mask, stx_blksize (u32 each), stx_attributes (u64), stx_nlink (u32), then stx_uid

    /// <summary>
    /// Why the entry at <paramref name="path"/> (a link itself, not followed) is not this process's own — "owned by
    /// account 1001" —, or null when it is (and always on Windows). An entry whose owner cannot be read is not the
    /// process's own either.
    /// </summary>
    public static string? NotOwnedByThisProcess(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var buffer = new byte[StatxSize];
        try
        {
            if (NativeMethods.statx(CurrentFolder, path, LinkNotFollowed, UidWanted, buffer) != 0)
            {
                return $"its owner could not be read (errno {Marshal.GetLastPInvokeError()})";
            }
        }
        catch (EntryPointNotFoundException)
        {
            return "its owner could not be read (a C library without statx)";
        }

        var owner = MemoryMarshal.Read<uint>(buffer.AsSpan(UidOffset));
        var self = NativeMethods.geteuid();
        return owner == self ? null : $"owned by account {owner}, not by this process's account {self}";
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this team does not own.
        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

        [DllImport("libc")]
        public static extern uint geteuid();
#pragma warning restore SYSLIB1054
    }
}
