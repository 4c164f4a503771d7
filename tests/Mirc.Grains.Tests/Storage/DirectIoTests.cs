using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>When the filesystem store writes instance data with direct I/O.</summary>
public sealed class DirectIoTests
{
    [Fact]
    public void Direct_writes_are_on_by_default_on_linux_disk_file_systems()
    {
        var root = TestEnvironment.NewTempDirectory("direct");
        try
        {
            var format = OperatingSystem.IsLinux() ? FileSystemOf(root) : "not linux";
            Assert.SkipUnless(format is "ext2/ext3" or "ext4" or "ext3" or "xfs" or "btrfs", $"direct I/O not expected on '{format}'");
            using var store = new FileSystemBlobStore(root);
            Assert.True(store.DirectWrites);
        }
        finally
        {
            TestEnvironment.TryDeleteDirectory(root);
        }
    }

    [Fact]
    public async Task Large_instance_data_bypasses_the_page_cache_and_a_small_one_is_written_through_it()
    {
        var root = TestEnvironment.NewTempDirectory("direct-small");
        try
        {
            using var store = new FileSystemBlobStore(root);
            Assert.SkipUnless(store.DirectWrites && OperatingSystem.IsLinux(), "no direct I/O on this file system");

            // A large content: its whole blocks go to the device directly, only its last partial block through the cache.
            var large = await store.WriteAsync(new BlobKey("instances", "large"), new MemoryStream(new byte[600_000]), cancellationToken: TestContext.Current.CancellationToken);
            Assert.InRange(ResidentPages(Path.Combine(root, "instances", "large")), 0, 1);

            // A small one whole through the page cache: one write that does not wait for the device.
            await store.WriteAsync(new BlobKey("instances", "small"), new MemoryStream(new byte[9_000]), cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(3, ResidentPages(Path.Combine(root, "instances", "small")));
            Assert.Equal(600_000, large.Length);
        }
        finally
        {
            TestEnvironment.TryDeleteDirectory(root);
        }
    }

    /// <summary>Pages of <paramref name="path"/> in the page cache (<c>mincore(2)</c> of a mapping that touches none).</summary>
    private static int ResidentPages(string path)
    {
        var length = new FileInfo(path).Length;
        using var map = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
        var pages = new byte[(length + Environment.SystemPageSize - 1) / Environment.SystemPageSize];
        var address = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset;
        Assert.Equal(0, mincore(address, (nuint)length, pages));
        return pages.Count(p => (p & 1) != 0);
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mincore(nint address, nuint length, byte[] vector);
#pragma warning restore SYSLIB1054

    private static string FileSystemOf(string path)
    {
        try
        {
            return new DriveInfo(path).DriveFormat;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown (" + e.Message + ")";
        }
    }
}
