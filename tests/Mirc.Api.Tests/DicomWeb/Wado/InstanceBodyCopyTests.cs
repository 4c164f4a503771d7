using System.IO.Pipelines;
using Mirc.Api.DicomWeb.Wado;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.Wado;

public sealed class InstanceBodyCopyTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(525_000)] // a CT slice: one read, one flush
    [InlineData(2 * InstanceBodyCopy.MaxChunk + 17)] // three chunks
    public async Task Content_is_copied_byte_exact_with_one_flush_per_chunk(int length)
    {
        var ct = TestContext.Current.CancellationToken;
        var content = RandomBytes(length);
        var output = new MemoryStream();
        var pipe = new FlushCountingWriter(PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true)));
        await using (var file = await TempFileAsync(content, ct))
        {
            await InstanceBodyCopy.CopyAsync(file.Stream, length, pipe, ct);
        }
        await pipe.CompleteAsync();
        Assert.Equal(content, output.ToArray());
        Assert.Equal((length + InstanceBodyCopy.MaxChunk - 1) / InstanceBodyCopy.MaxChunk, pipe.Flushes);
    }

    [Fact]
    public async Task A_shorter_stream_is_copied_as_far_as_it_goes_and_a_longer_one_only_up_to_the_length()
    {
        var ct = TestContext.Current.CancellationToken;
        var content = RandomBytes(10_000);
        var shortOutput = new MemoryStream();
        var shortPipe = PipeWriter.Create(shortOutput, new StreamPipeWriterOptions(leaveOpen: true));
        await InstanceBodyCopy.CopyAsync(new MemoryStream(content), 12_000, shortPipe, ct);
        await shortPipe.CompleteAsync();
        Assert.Equal(content, shortOutput.ToArray());

        var longOutput = new MemoryStream();
        var longPipe = PipeWriter.Create(longOutput, new StreamPipeWriterOptions(leaveOpen: true));
        await InstanceBodyCopy.CopyAsync(new MemoryStream(content), 4_000, longPipe, ct);
        await longPipe.CompleteAsync();
        Assert.Equal(content[..4_000], longOutput.ToArray());
    }

    [Fact]
    public async Task A_client_that_stopped_reading_ends_the_copy()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        await pipe.Reader.CompleteAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            InstanceBodyCopy.CopyAsync(new MemoryStream(RandomBytes(100_000)), 100_000, pipe.Writer, ct));
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static async Task<TempFile> TempFileAsync(byte[] content, CancellationToken ct)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, content, ct);
        return new TempFile(path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous));
    }

    private sealed record TempFile(string Path, FileStream Stream) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stream.DisposeAsync();
            File.Delete(Path);
        }
    }

    /// <summary>Counts the flushes that carry data (each one wakes the socket sender in Kestrel).</summary>
    private sealed class FlushCountingWriter(PipeWriter inner) : PipeWriter
    {
        private long _unflushed;

        public int Flushes { get; private set; }

        public override void Advance(int bytes)
        {
            _unflushed += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_unflushed > 0) Flushes++;
            _unflushed = 0;
            return inner.FlushAsync(cancellationToken);
        }
    }
}
