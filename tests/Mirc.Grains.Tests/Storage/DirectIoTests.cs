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
