using System.Runtime.InteropServices;

namespace Mirc.Grains.Storage;

/// <summary>
/// What Linux's <c>statx(2)</c> tells of a file system entry that .NET does not (its owner, its device). Its structure is
/// 256 bytes with the same layout on every architecture (that of <c>stat</c> differs between them).
/// </summary>
internal static class Statx
{
    /// <summary>Offset of <c>stx_uid</c> (after stx_mask, stx_blksize, stx_attributes and stx_nlink).</summary>
    public const int Uid = 20;

    /// <summary>Offsets of <c>stx_dev_major</c> and <c>stx_dev_minor</c>.</summary>
    public const int DeviceMajor = 136;

    /// <inheritdoc cref="DeviceMajor"/>
    public const int DeviceMinor = 140;

    /// <summary>STATX_UID: the owner wanted (the device numbers come with every call).</summary>
    public const uint OwnerWanted = 0x8;

    private const int CurrentFolder = -100; // AT_FDCWD
    private const int LinkNotFollowed = 0x100; // AT_SYMLINK_NOFOLLOW
    private const int Size = 256;

    /// <summary>
    /// The <c>struct statx</c> of <paramref name="path"/> (of a link itself unless <paramref name="followLink"/>), or the
    /// reason it could not be read.
    /// </summary>
    public static (byte[]? Entry, string? Failure) Read(string path, bool followLink, uint mask)
    {
        var buffer = new byte[Size];
        try
        {
            return NativeMethods.statx(CurrentFolder, path, followLink ? 0 : LinkNotFollowed, mask, buffer) == 0
                ? (buffer, null)
                : (null, $"errno {Marshal.GetLastPInvokeError()}");
        }
        catch (EntryPointNotFoundException)
        {
            return (null, "a C library without statx");
        }
    }

    /// <summary>The field at <paramref name="offset"/> of an entry <see cref="Read"/> returned.</summary>
    public static uint Field(byte[] entry, int offset) => MemoryMarshal.Read<uint>(entry.AsSpan(offset));

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this team does not own.
        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
    }
}
