using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;
using Xunit;

namespace Mirc.Grains.Tests.Replication;

/// <summary>
/// On two sites, a write at a final name unless it is taken treats a name only the second site holds as taken (the first
/// site lost that blob): the new bytes go to the alternate and the second site's copy stays, where a write at the name
/// would have replicated over it.
/// </summary>
public sealed class ReplicatedWriteUnlessTakenTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mirc-replicated-unless-taken", Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _first;
    private readonly FileSystemBlobStore _second;
    private readonly ReplicatedBlobStore _sites;

    public ReplicatedWriteUnlessTakenTests()
    {
        _first = new FileSystemBlobStore(Path.Combine(_root, "first"));
        _second = new FileSystemBlobStore(Path.Combine(_root, "second"));
        var options = new ReplicationOptions { Mode = ReplicationMode.Synchronous };
        _sites = new ReplicatedBlobStore(_first, _second, "staging", options, new ReplicaBacklog(TimeProvider.System, 100), TimeProvider.System, NullLogger<ReplicatedBlobStore>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_name_only_the_second_site_holds_is_taken_and_a_free_name_is_written_on_both_sites()
    {
        var kept = new BlobKey("instances", "aa/kept.dcm");
        await _second.WriteAsync(kept, new MemoryStream([1, 2, 3]), cancellationToken: Ct);

        var overLost = await _sites.WriteUnlessTakenAsync(kept, new BlobKey("staging", "upload-1"), new MemoryStream([9, 9]), cancellationToken: Ct);
        var free = await _sites.WriteUnlessTakenAsync(new BlobKey("instances", "aa/free.dcm"), new BlobKey("staging", "upload-2"), new MemoryStream([4, 5]), cancellationToken: Ct);

        Assert.Equal(new BlobKey("staging", "upload-1"), overLost.Key);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await _second.TryReadAllAsync(kept, Ct))!.Content.ToArray());
        Assert.Null(await _first.TryGetPropertiesAsync(kept, Ct));
        Assert.Equal(new BlobKey("instances", "aa/free.dcm"), free.Key);
        Assert.Equal(new byte[] { 4, 5 }, (await _first.TryReadAllAsync(free.Key, Ct))!.Content.ToArray());
        Assert.Equal(new byte[] { 4, 5 }, (await _second.TryReadAllAsync(free.Key, Ct))!.Content.ToArray());
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: temp folder.
        }
    }
}
