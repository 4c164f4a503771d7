using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Blob store whose streaming writes fail as a full disk does.</summary>
internal sealed class FullDiskBlobStore(IBlobStore inner) : IBlobStore
{
    public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new IOException("No space left on device", 28);

    public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, range, cancellationToken);

    public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.TryGetPropertiesAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, ifMatch, cancellationToken);

    public IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(container, prefix, cancellationToken);

    public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.RewriteAsync(key, content, cancellationToken);
    public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) => inner.WriteIfMatchAsync(key, content, expected, cancellationToken);

    public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.TryReadAllAsync(key, cancellationToken);

    public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) => inner.MoveAsync(source, destination, cancellationToken);
}

public sealed class StorageFullTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new() { DecorateBlobStore = inner => new FullDiskBlobStore(inner) };

    public ValueTask InitializeAsync() => _archive.InitializeAsync();

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    [Fact]
    public async Task Full_storage_is_reported_as_out_of_resources()
    {
        using var stream = new MemoryStream(new SyntheticInstance().ToPart10());

        var outcome = await _archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST" } }, TestContext.Current.CancellationToken);

        Assert.Equal(IngestStatus.OutOfResources, outcome.Status);
        Assert.Equal((ushort)0xA700, outcome.DimseStatus);
        Assert.Equal((ushort)0xA700, outcome.StowReason);
    }
}
