using Mirc.Grains.Ingest;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class EarlyIntentTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new();
    private TimingBlobStore? _timing;

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Archive:Ingest:HeaderCaptureBytes"] = "4096";
        _archive.DecorateBlobStore = inner => _timing = new TimingBlobStore(inner);
        await _archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    [Fact]
    public async Task The_journal_intent_is_written_while_the_instance_still_streams_to_its_staged_blob()
    {
        // A source slower than the journal: the intent must be durable before the last bytes even arrive.
        var bytes = new SyntheticInstance { Rows = 256, Columns = 256 }.ToPart10();
        using var slow = new ThrottledStream(new MemoryStream(bytes), chunk: 16 * 1024, delay: TimeSpan.FromMilliseconds(5));
        _timing!.Operations.Clear();

        var outcome = await _archive.Ingestor.IngestAsync(slow, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-EARLY" } }, TestContext.Current.CancellationToken);

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        var operations = _timing.Operations.ToArray();
        var staging = Assert.Single(operations, o => o.Kind == "write:mirc-staging");
        // The first journal write is the intent; the second empties its slot once the ingest is complete.
        var journal = operations.Where(o => o.Kind == "small-write:journal").OrderBy(o => o.Start).First();
        Assert.True(journal.End < staging.End, "the journal intent should be durable before the staged write completes");
    }

    [Fact]
    public async Task An_instance_rejected_after_its_early_intent_leaves_no_intent_in_the_journal()
    {
        // No SOP Class UID: the early intent names a key, the full validation then refuses the instance.
        var bytes = new SyntheticInstance { SopClassUid = "" }.ToPart10();
        var outcome = await _archive.Ingestor.IngestAsync(new MemoryStream(bytes), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-EARLY" } }, TestContext.Current.CancellationToken);

        Assert.NotEqual(IngestStatus.Stored, outcome.Status);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        // Journal slots are reused, not deleted: each one left must hold no intent.
        var slots = 0;
        await foreach (var blob in _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, "journal/", TestContext.Current.CancellationToken))
        {
            slots++;
            var content = await _archive.Blobs.TryReadAllAsync(blob.Key, TestContext.Current.CancellationToken);
            Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(content!.Content.Span));
        }

        Assert.True(slots >= 1, "the early intent should have been written to a journal slot");
    }

    private sealed class ThrottledStream(Stream inner, int chunk, TimeSpan delay) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, chunk));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
