using Mirc.Dicom.Network.Upper;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>
/// A data set framed ahead of its message (<see cref="PduWriter.FrameAsync"/>, as a C-GET / C-MOVE reads the next instance
/// while the current one is answered) leaves on the wire exactly as the same message streamed from the file.
/// </summary>
public sealed class FramedDataSetTests
{
    [Theory]
    [InlineData(4096u, 50_000, 0)]
    [InlineData(16384u, 16_378, 0)] // exactly one full fragment (the PDU length less its PDV header)
    [InlineData(262144u, 524_288, 0)]
    [InlineData(262144u, 0, 0)] // an empty data set: one empty last fragment
    [InlineData(65536u, 200_000, 3)] // with pending responses deferred to ride along
    [InlineData(65536u, 200_000, 12)] // more deferred bytes than the room in front: written apart, same bytes
    public async Task A_framed_data_set_leaves_on_the_wire_as_the_streamed_one(uint maxPdu, int length, int deferred)
    {
        var ct = TestContext.Current.CancellationToken;
        var data = new byte[length];
        new Random(length + deferred).NextBytes(data);
        var command = new byte[90];
        new Random(7).NextBytes(command);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, data, ct);

            var streamed = new MemoryStream();
            using (var writer = new PduWriter(streamed, maxPdu))
            {
                await DeferAsync(writer, deferred, ct);
                await using var file = OpenAsynchronously(path);
                await writer.WriteMessageAsync(3, command, default, file, ct);
            }

            var framedWire = new MemoryStream();
            using (var writer = new PduWriter(framedWire, maxPdu))
            {
                await using var file = OpenAsynchronously(path);
                using var framed = await writer.FrameAsync(3, file, ct);
                Assert.NotNull(framed);
                await DeferAsync(writer, deferred, ct);
                await writer.WriteMessageAsync(command, framed, ct);
            }

            Assert.Equal(streamed.ToArray(), framedWire.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_data_set_larger_than_a_batch_or_of_unknown_length_is_left_to_the_stream()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = new PduWriter(Stream.Null, 262144u);
        Assert.Null(await writer.FrameAsync(1, new MemoryStream(new byte[1024 * 1024 + 1]), ct));
        Assert.Null(await writer.FrameAsync(1, new NonSeekableStream(new byte[100]), ct));
        using var fits = await writer.FrameAsync(1, new MemoryStream(new byte[1024 * 1024]), ct);
        Assert.NotNull(fits);
    }

    // Pending C-GET responses (command-only messages of ~100 bytes) queued to leave with the next message.
    private static async Task DeferAsync(PduWriter writer, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            await writer.DeferMessageAsync(1, Enumerable.Range(0, 100).Select(b => (byte)(b + i)).ToArray(), ct);
        }
    }

    private static FileStream OpenAsynchronously(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
}
