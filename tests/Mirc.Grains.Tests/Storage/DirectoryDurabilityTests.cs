using Mirc.Testing;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

public sealed class DirectoryDurabilityTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("dirsync");

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_root);

    [Fact]
    public async Task Concurrent_flushes_of_one_folder_all_complete()
    {
        var durability = new DirectoryDurability(_root);
        var flushes = Enumerable.Range(0, 200).Select(_ => durability.FlushAsync(_root)).ToList();
        await Task.WhenAll(flushes).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.All(flushes, f => Assert.True(f.IsCompletedSuccessfully));

        // The folder's slot is released: a later flush runs again.
        await durability.FlushAsync(_root).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_failing_flush_is_reported_to_its_callers()
    {
        var durability = new DirectoryDurability(_root);
        await Assert.ThrowsAsync<IOException>(() => durability.FlushAsync(Path.Combine(_root, "missing")));
    }

    [Fact]
    public async Task Nested_folders_are_created_once_even_when_requested_concurrently()
    {
        var durability = new DirectoryDurability(_root);
        var target = Path.Combine(_root, "a", "b", "c");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => durability.EnsureExistsAsync(target)));
        Assert.True(Directory.Exists(target));
    }

    [Fact]
    public async Task A_reopened_store_sees_the_same_blobs_and_etags()
    {
        var first = new FileSystemBlobStore(_root);
        var written = await first.WriteAsync(new BlobKey("mirc-instances-01", "1.2/3.4/5.dcm"), new MemoryStream(new byte[] { 1, 2, 3 }), cancellationToken: TestContext.Current.CancellationToken);

        var reopened = new FileSystemBlobStore(_root);
        var properties = await reopened.TryGetPropertiesAsync(written.Key, TestContext.Current.CancellationToken);
        Assert.Equal(written.ETag, properties!.ETag);
    }
}
