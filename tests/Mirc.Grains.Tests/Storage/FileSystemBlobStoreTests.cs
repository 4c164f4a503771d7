using Mirc.Testing;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>The blob contract on the local filesystem with shared syncfs rounds (the Linux default).</summary>
public sealed class SharedSyncFileSystemBlobStoreTests() : FileSystemBlobStoreTests(OperatingSystem.IsLinux() ? FileSystemDurability.SharedSync : FileSystemDurability.PerFile);

/// <summary>The blob contract on the local filesystem with an fsync per file and folder.</summary>
public sealed class PerFileFileSystemBlobStoreTests() : FileSystemBlobStoreTests(FileSystemDurability.PerFile);

/// <summary>The blob contract on the local filesystem, plus what only the filesystem can show.</summary>
public abstract class FileSystemBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("blobs");
    private readonly FileSystemBlobStore _store;

    protected FileSystemBlobStoreTests(FileSystemDurability durability)
    {
        _store = new FileSystemBlobStore(_root, durability);
        Assert.Equal(durability, _store.Durability);
    }

    protected override IBlobStore Store => _store;

    public void Dispose()
    {
        _store.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public async Task Blobs_are_files_under_container_folders_and_no_temporary_file_remains()
    {
        await Store.WriteAsync(Key("1.2/3.4/5.6.dcm"), new MemoryStream(RandomBytes(1_000)), cancellationToken: Ct);
        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(Key("1.2/3.4/7.dcm"), new ForwardOnlyStream(RandomBytes(300_000), 150_000), cancellationToken: Ct));
        await Assert.ThrowsAsync<BlobHashMismatchException>(() =>
            Store.WriteAsync(Key("1.2/3.4/8.dcm"), new MemoryStream(RandomBytes(10)), new BlobWriteOptions { ExpectedSha256 = new byte[32] }, Ct));

        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).ToList();
        Assert.Equal([Path.Combine(Container, "1.2", "3.4", "5.6.dcm")], files);
    }

    [Fact]
    public async Task Conditional_versions_of_a_key_never_share_an_etag_even_within_one_clock_tick()
    {
        var key = Key("fast");
        var seen = new HashSet<BlobETag>();
        BlobETag? current = null;
        for (var i = 0; i < 50; i++)
        {
            current = await Store.WriteIfMatchAsync(key, new byte[] { 42 }, current, Ct);
            Assert.True(seen.Add(current.Value), $"ETag {current} repeated at write {i}");
        }
    }
}
