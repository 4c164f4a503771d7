using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

/// <summary>
/// The capture of an instance's first bytes, either while the blob write reads them or first (to read the header before
/// the write): the write reads the same bytes either way.
/// </summary>
public sealed class HeaderCaptureStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(10_000, 4096, false)]
    [InlineData(3_000, 4096, true)]
    [InlineData(4096, 4096, false)]
    [InlineData(0, 4096, true)]
    public async Task Filled_first_it_holds_the_prefix_and_then_reads_the_whole_content_in_order(int length, int capacity, bool ends)
    {
        var content = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + i / 251)).ToArray();
        using var capture = new HeaderCaptureStream(new ForwardOnlyStream(content, chunk: 1000), capacity);

        var whole = await capture.FillAsync(Ct);

        Assert.Equal(ends, whole);
        Assert.Equal(content.AsSpan(0, Math.Min(length, capacity)).ToArray(), capture.Captured.ToArray());
        using var copy = new MemoryStream();
        var buffer = new byte[333];
        int n;
        while ((n = await capture.ReadAsync(buffer, Ct)) > 0)
        {
            copy.Write(buffer, 0, n);
        }

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(length, capture.BytesRead);
        Assert.Equal(content.AsSpan(0, Math.Min(length, capacity)).ToArray(), capture.Captured.ToArray());
    }

    [Fact]
    public async Task Not_filled_it_captures_the_prefix_as_the_write_reads_through_it()
    {
        var content = Enumerable.Range(0, 9000).Select(i => (byte)i).ToArray();
        using var capture = new HeaderCaptureStream(new ForwardOnlyStream(content, chunk: 1000), 4096);

        using var copy = new MemoryStream();
        await capture.CopyToAsync(copy, Ct);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(content.AsSpan(0, 4096).ToArray(), capture.Captured.ToArray());
    }

    [Fact]
    public async Task It_cannot_be_filled_once_read_from()
    {
        using var capture = new HeaderCaptureStream(new MemoryStream(new byte[100]), 64);
        Assert.Equal(10, await capture.ReadAsync(new byte[10], Ct));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await capture.FillAsync(Ct));
    }
}
