using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// The early journal intent, observed through events rather than timings: the source holds back the rest of the
/// instance until the intent is durable, and the tests wait on the journal writes themselves (no sleep, no clock).
/// </summary>
public sealed class EarlyIntentTests : IAsyncLifetime
{
    // Bounds a broken implementation only (a test that would otherwise hang); a passing run never waits for it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly ArchiveCluster _archive = new();
    private readonly TaskCompletionSource _intentWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _slotEmptied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Archive:Ingest:HeaderCaptureBytes"] = "4096";
        _archive.DecorateBlobStore = inner =>
        {
            var observed = new TimingBlobStore(inner);
            observed.Rewritten += OnRewritten;
            return observed;
        };
        await _archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    private void OnRewritten(BlobKey key, ReadOnlyMemory<byte> content)
    {
        if (!key.Name.StartsWith("journal/", StringComparison.Ordinal))
        {
            return;
        }

        if (content.Span.SequenceEqual("[]"u8))
        {
            _slotEmptied.TrySetResult();
        }
        else
        {
            _intentWritten.TrySetResult();
        }
    }

    [Fact]
    public async Task The_journal_intent_is_written_while_the_instance_still_streams_to_its_staged_blob()
    {
        // The source delivers the header, then holds the rest back until the intent is durable: the ingest can only
        // complete if the intent is written while the instance is still streaming.
        var bytes = new SyntheticInstance { Rows = 256, Columns = 256 }.ToPart10();
        using var held = new HeldBackStream(bytes, releasedAfter: 16 * 1024, _intentWritten.Task, Bound);

        var outcome = await _archive.Ingestor.IngestAsync(held, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-EARLY" } }, TestContext.Current.CancellationToken);

        Assert.False(held.GaveUp, "the journal intent was not written while the rest of the instance was held back");
        Assert.Equal(IngestStatus.Stored, outcome.Status);
    }

    [Fact]
    public async Task An_instance_rejected_after_its_early_intent_leaves_no_intent_in_the_journal()
    {
        // No SOP Class UID: the early intent names a key, the full validation then refuses the instance.
        var bytes = new SyntheticInstance { SopClassUid = "" }.ToPart10();
        var outcome = await _archive.Ingestor.IngestAsync(new MemoryStream(bytes), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-EARLY" } }, TestContext.Current.CancellationToken);

        Assert.NotEqual(IngestStatus.Stored, outcome.Status);
        Assert.True(_intentWritten.Task.IsCompleted, "the early intent should have been written to a journal slot");
        // The slot is emptied in the background once the rejected ingest completes its ticket: wait for that write.
        await _slotEmptied.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);

        // Journal slots are reused, not deleted: each one left must hold no intent.
        var slots = 0;
        await foreach (var blob in _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, "journal/", TestContext.Current.CancellationToken))
        {
            slots++;
            var content = await _archive.Blobs.TryReadAllAsync(blob.Key, TestContext.Current.CancellationToken);
            Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(content!.Content.Span));
        }

        Assert.True(slots >= 1, "the journal slot should still exist (slots are reused)");
    }

    /// <summary>Serves the first bytes at once, the rest only once <c>release</c> completes (or the bound expires).</summary>
    private sealed class HeldBackStream(byte[] bytes, int releasedAfter, Task release, TimeSpan bound) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        /// <summary>True when the bound expired before the release: the stream then delivered the rest anyway.</summary>
        public bool GaveUp { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var position = (int)_inner.Position;
            if (position < releasedAfter)
            {
                return await _inner.ReadAsync(buffer[..Math.Min(buffer.Length, releasedAfter - position)], cancellationToken);
            }

            if (!release.IsCompleted)
            {
                try
                {
                    await release.WaitAsync(bound, cancellationToken);
                }
                catch (TimeoutException)
                {
                    GaveUp = true;
                }
            }

            return await _inner.ReadAsync(buffer, cancellationToken);
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
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
