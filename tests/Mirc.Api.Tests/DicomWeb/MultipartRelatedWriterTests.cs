using System.IO.Pipelines;
using Microsoft.AspNetCore.WebUtilities;
using Mirc.Api.DicomWeb.Multipart;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class MultipartRelatedWriterTests
{
    [Fact]
    public async Task Parts_round_trip_through_a_standard_multipart_reader()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = RandomBytes(200_000, 1);
        var second = RandomBytes(3, 2);
        var buffer = new MemoryStream();
        var pipe = PipeWriter.Create(buffer, new StreamPipeWriterOptions(leaveOpen: true));
        var writer = new MultipartRelatedWriter(pipe);

        writer.BeginPart("application/dicom", "1.2.840.10008.1.2.1", contentLength: first.Length);
        await writer.WriteContentAsync(new MemoryStream(first), ct);
        writer.BeginPart("application/octet-stream", contentLocation: "/x/frames/2");
        await writer.WriteContentAsync(second, ct);
        await writer.CompleteAsync(ct);
        await pipe.CompleteAsync();

        Assert.StartsWith("multipart/related; type=\"application/dicom\"", writer.ContentType("application/dicom"));
        buffer.Position = 0;
        var reader = new MultipartReader(writer.Boundary, buffer);
        var part1 = await reader.ReadNextSectionAsync(ct);
        Assert.NotNull(part1);
        Assert.Equal("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", part1.ContentType);
        Assert.Equal(first, await ReadAllAsync(part1.Body, ct));
        var part2 = await reader.ReadNextSectionAsync(ct);
        Assert.NotNull(part2);
        Assert.Equal("/x/frames/2", part2.Headers!["Content-Location"].ToString());
        Assert.Equal(second, await ReadAllAsync(part2.Body, ct));
        Assert.Null(await reader.ReadNextSectionAsync(ct));
    }

    [Fact]
    public void Each_writer_has_its_own_boundary()
    {
        var a = new MultipartRelatedWriter(PipeWriter.Create(Stream.Null));
        var b = new MultipartRelatedWriter(PipeWriter.Create(Stream.Null));
        Assert.NotEqual(a.Boundary, b.Boundary);
        Assert.True(a.Boundary.Length <= 70);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken ct)
    {
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        return copy.ToArray();
    }
}
