using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Direct I/O (Linux <c>O_DIRECT</c>) for streamed blob writes: data goes from our own aligned buffers to the device
/// without being copied into the page cache. Why: instance data is written once and rarely read back at once, and
/// filling fresh page-cache pages was the largest single cost of ingest (29 % of the silo's CPU, ~1.3 ms per 512 KB
/// instance, on a VM whose memory is reclaimed by the host), plus the kernel's later writeback of those pages.
/// Buffers, offsets and lengths must be multiples of <see cref="Alignment"/>: the last, partial block of a file is written
/// through the page cache (<see cref="Disable"/>). Not padded to a block and cut back afterwards: cutting a file inside a
/// block it wrote directly makes the file system read that block back from the device, at every instance stored.
/// </summary>
internal static class DirectIo
{
    /// <summary>Alignment of buffers, offsets and lengths: covers 512-byte and 4 KiB logical sectors.</summary>
    public const int Alignment = 4096;

    /// <summary>Buffers of direct writes: 256 KB each, two per streamed write in flight, 64 kept (16 MB).</summary>
    public static readonly AlignedBufferPool Buffers = new(256 * 1024, maxRetained: 64);

    private const int GetFlags = 3;
    private const int SetFlags = 4;
    private const int InvalidArgument = 22;

    /// <summary>True when this process can ask for direct I/O at all (Linux on an architecture whose flag we know).</summary>
    public static bool IsSupportedPlatform => OperatingSystem.IsLinux() && DirectFlag != 0;

    // O_DIRECT differs between Linux architectures (asm-generic 040000; arm/arm64 0200000).
    private static int DirectFlag => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    /// <summary>
    /// Switches an open file to direct I/O. False when the file system refuses it (tmpfs on older kernels, some
    /// network and overlay file systems): the caller keeps writing through the page cache.
    /// </summary>
    public static bool TryEnable(SafeFileHandle handle) => IsSupportedPlatform && SetDirect(handle, on: true);

    /// <summary>Switches a file opened for direct I/O back to writes through the page cache (for a last, partial block).</summary>
    public static void Disable(SafeFileHandle handle)
    {
        if (IsSupportedPlatform && !SetDirect(handle, on: false))
        {
            throw new IOException("Cannot switch a blob file back from direct I/O.");
        }
    }

    private static bool SetDirect(SafeFileHandle handle, bool on)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var flags = NativeMethods.fcntl(fd, GetFlags, 0);
            if (flags < 0)
            {
                return false;
            }

            if (NativeMethods.fcntl(fd, SetFlags, on ? flags | DirectFlag : flags & ~DirectFlag) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == InvalidArgument ? false : throw new IOException($"Cannot switch a blob file to direct I/O (errno {errno}).");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Whether files created in <paramref name="directory"/> accept direct I/O: a scratch file is switched to it and one
    /// aligned block written (some file systems take the flag and refuse the writes, or need a larger alignment).
    /// </summary>
    public static bool IsAvailableIn(string directory)
    {
        if (!IsSupportedPlatform)
        {
            return false;
        }

        var probe = Path.Combine(directory, $".direct-probe-{Guid.NewGuid():N}");
        var block = Buffers.Rent();
        try
        {
            using var handle = File.OpenHandle(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.DeleteOnClose);
            if (!TryEnable(handle))
            {
                return false;
            }

            var first = Buffers.Window(block)[..Alignment];
            first.Span.Clear();
            RandomAccess.Write(handle, first.Span, 0);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
        finally
        {
            Buffers.Return(block);
        }
    }

    /// <summary>Rounds <paramref name="length"/> down to a multiple of <see cref="Alignment"/>.</summary>
    public static int AlignDown(int length) => length & ~(Alignment - 1);

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks.
        [DllImport("libc", SetLastError = true)]
        public static extern int fcntl(int fd, int cmd, int arg);
#pragma warning restore SYSLIB1054
    }
}
