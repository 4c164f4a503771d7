using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Retrieval;

/// <summary>
/// What <see cref="InstanceRetriever.OpenAsync"/> reads ahead: remote blobs are fetched into memory while the previous
/// instance is consumed; local files are only opened (the page cache is their read-ahead, the consumer reads them
/// straight into its destination).
/// </summary>
public sealed class InstanceRetrieverReadAheadTests : IDisposable
{
    private const string Container = "mirc-instances-00";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mirc-readahead-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Local_files_are_streamed_from_the_file_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new FileSystemBlobStore(_root);
        var (entries, contents) = Instances(5);
        foreach (var entry in entries)
        {
            await store.WriteAsync(new BlobKey(entry.BlobContainer, entry.BlobName), new MemoryStream(contents[entry.SopInstanceUid]), cancellationToken: ct);
        }

        var received = await ReadAllAsync(Retriever(store), entries, ct);

        Assert.Equal(entries.Select(e => e.SopInstanceUid), received.Select(r => r.Sop));
        Assert.All(received, r => Assert.True(r.WasFile));
        Assert.All(received, r => Assert.Equal(contents[r.Sop], r.Bytes));
    }

    [Fact]
    public async Task Remote_blobs_are_fetched_into_memory_and_their_streams_closed_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var (entries, contents) = Instances(4);
        var store = new RemoteLikeBlobStore(contents);

        var received = await ReadAllAsync(Retriever(store), entries, ct);

        Assert.Equal(entries.Select(e => e.SopInstanceUid), received.Select(r => r.Sop));
        Assert.All(received, r => Assert.False(r.WasFile));
        Assert.All(received, r => Assert.Equal(contents[r.Sop], r.Bytes));
        Assert.Equal(4, store.Opened.Count);
        Assert.All(store.Opened, s => Assert.True(s.Disposed));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static InstanceRetriever Retriever(IBlobStore store) =>
        // No grain factory: these tests never resolve a scope, they open given manifest entries.
        new(null!, store, Options.Create(new RetrievalOptions { Prefetch = 2 }));

    private static async Task<List<(string Sop, bool WasFile, byte[] Bytes)>> ReadAllAsync(InstanceRetriever retriever, IReadOnlyList<InstanceEntry> entries,
        CancellationToken ct)
    {
        var received = new List<(string, bool, byte[])>();
        await foreach (var item in retriever.OpenAsync(entries, cancellationToken: ct))
        {
            await using (item)
            {
                using var copy = new MemoryStream();
                await item.Content.CopyToAsync(copy, ct);
                received.Add((item.Instance.SopInstanceUid, item.Content is FileStream, copy.ToArray()));
            }
        }
        return received;
    }

    private static (List<InstanceEntry> Entries, Dictionary<string, byte[]> Contents) Instances(int count)
    {
        var entries = new List<InstanceEntry>();
        var contents = new Dictionary<string, byte[]>();
        for (var i = 1; i <= count; i++)
        {
            var sop = $"1.2.3.{i}";
            var bytes = new byte[10_000 + 997 * i];
            new Random(i).NextBytes(bytes);
            contents[sop] = bytes;
            entries.Add(new InstanceEntry
            {
                StudyInstanceUid = "1.2.3", SeriesInstanceUid = "1.2.3.0", SopInstanceUid = sop, SopClassUid = "1.2.840.10008.5.1.4.1.1.7",
                TransferSyntaxUid = "1.2.840.10008.1.2.1", BlobContainer = Container, BlobName = $"1.2.3/{sop}.dcm", Size = bytes.Length,
                Digest = "", EstablishmentId = "EST",
            });
        }
        return (entries, contents);
    }

    /// <summary>Serves blobs as plain (non-file) streams, as a remote store would, and remembers them.</summary>
    private sealed class RemoteLikeBlobStore(Dictionary<string, byte[]> contents) : IBlobStore
    {
        public List<TrackedStream> Opened { get; } = [];

        public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default)
        {
            var sop = Path.GetFileNameWithoutExtension(key.Name);
            var stream = new TrackedStream(contents[sop]);
            lock (Opened) Opened.Add(stream);
            return Task.FromResult<Stream>(stream);
        }

        public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private sealed class TrackedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
