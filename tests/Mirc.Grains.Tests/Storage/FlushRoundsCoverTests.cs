using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// <see cref="FileSystemBlobStore.FlushRoundsCover"/>: true only for shared-sync durability and a folder of the root's
/// file system — what lets the embedded change feed leave its flush to the store's rounds.
/// </summary>
public sealed class FlushRoundsCoverTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mirc-flush-cover", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder: left for the system to clean.
        }
    }

    [Fact]
    public void Shared_sync_rounds_cover_folders_of_the_roots_file_system_and_nothing_else()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "syncfs(2) is Linux only");
        var beside = Directory.CreateDirectory(Path.Combine(_root, "beside")).FullName;
        using (var shared = new FileSystemBlobStore(Path.Combine(_root, "blobs"), FileSystemDurability.SharedSync))
        {
            Assert.True(shared.FlushRoundsCover(beside));
            Assert.True(shared.FlushRoundsCover(shared.RootPath));
            // Another file system (procfs), and a folder that does not exist: not covered.
            Assert.False(shared.FlushRoundsCover("/proc"));
            Assert.False(shared.FlushRoundsCover(Path.Combine(_root, "missing")));
        }

        using var perFile = new FileSystemBlobStore(Path.Combine(_root, "per-file"), FileSystemDurability.PerFile);
        Assert.False(perFile.FlushRoundsCover(beside));
    }
}
