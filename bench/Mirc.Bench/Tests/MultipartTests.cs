using System.Net;
using System.Text;
using Mirc.Bench.DicomWeb;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class MultipartTests
{
    /// <summary>Hands out at most a few bytes per read, so delimiters straddle reads.</summary>
    private sealed class TrickleStream(byte[] data, int maxRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
    }

    private static async Task<(byte[] Body, string Boundary)> SerializeAsync(params byte[][] parts)
    {
        using var content = new MultipartRelatedContent(parts.Select(p => (ReadOnlyMemory<byte>)p).ToArray(), "application/dicom");
        var body = await content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(content.Headers.ContentLength, body.Length);
        return (body, content.Boundary);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(200_000)]
    public async Task Counts_the_parts_the_writer_wrote_whatever_the_read_sizes(int maxRead)
    {
        var big = new byte[300_000];
        new Random(5).NextBytes(big);
        var (body, boundary) = await SerializeAsync(Encoding.ASCII.GetBytes("first"), big, Encoding.ASCII.GetBytes("\r\n--almost"), []);

        var count = await MultipartPartCounter.CountAsync(new TrickleStream(body, maxRead), boundary, TestContext.Current.CancellationToken);

        Assert.Equal(4, count.Parts);
        Assert.Equal(body.Length, count.Bytes);
        Assert.True(count.Closed);
    }

    [Fact]
    public async Task A_truncated_body_is_not_closed()
    {
        var (body, boundary) = await SerializeAsync(new byte[100], new byte[100]);

        var count = await MultipartPartCounter.CountAsync(new MemoryStream(body[..^10]), boundary, TestContext.Current.CancellationToken);

        Assert.False(count.Closed);
    }

    [Fact]
    public void Content_type_names_the_part_type_and_boundary()
    {
        using var content = new MultipartRelatedContent([new byte[] { 1 }], "application/dicom");

        var type = content.Headers.ContentType!;
        Assert.Equal("multipart/related", type.MediaType);
        Assert.Contains(type.Parameters, p => p.Name == "type" && p.Value == "\"application/dicom\"");
        Assert.Contains(type.Parameters, p => p.Name == "boundary" && p.Value == content.Boundary);
    }

    private sealed class MultipartResponder(int parts) : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            var content = new MultipartRelatedContent(Enumerable.Range(0, parts).Select(i => (ReadOnlyMemory<byte>)new byte[i * 10]).ToArray(), "application/dicom");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    [Fact]
    public async Task Retrieve_counts_parts_and_fails_on_a_short_answer()
    {
        var handler = new MultipartResponder(5);
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://archive.test/dicomweb/") };
        var driver = new DicomWebDriver(http);

        var (images, bytes) = await driver.RetrieveAsync("studies/1.2.3", DicomWebDriver.AcceptDicom, 5, TestContext.Current.CancellationToken);

        Assert.Equal(5, images);
        Assert.True(bytes > 100);
        Assert.Equal("http://archive.test/dicomweb/studies/1.2.3", handler.Request!.RequestUri!.ToString());
        Assert.Contains("transfer-syntax=*", handler.Request.Headers.Accept.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            driver.RetrieveAsync("studies/1.2.3", DicomWebDriver.AcceptDicom, 6, TestContext.Current.CancellationToken));
    }
}
