using Mirc.Api.DicomWeb.Stow;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

/// <summary>
/// A STOW-RS part held in pooled chunks gives back exactly the bytes received, whatever the sizes of the reads that
/// filled it and of those that drain it, and stops at its limit with the rest of the part left in the body.
/// </summary>
public sealed class PartBufferTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(PartBuffer.ChunkSize)]
    [InlineData(2 * PartBuffer.ChunkSize)]
    [InlineData(3 * PartBuffer.ChunkSize + 12_345)]
    public async Task A_part_under_the_limit_is_held_whole_and_read_back_identical(int size)
    {
        var part = Bytes(size);

        var (buffer, complete) = await PartBuffer.ReadAsync(new TricklingStream(part, 1_000), 8 * 1024 * 1024, Ct);
        using (buffer)
        {
            Assert.True(complete);
            Assert.Equal(size, buffer.Length);
            Assert.Equal(part, buffer.ToArray());
            Assert.Equal(part, await DrainAsync(buffer.OpenRead(), 7_777));
        }
    }

    [Fact]
    public async Task A_part_over_the_limit_holds_its_first_bytes_and_reads_on_from_the_body()
    {
        var part = Bytes(5 * PartBuffer.ChunkSize + 99);
        var limit = 2 * PartBuffer.ChunkSize + PartBuffer.ChunkSize / 2;
        var body = new TricklingStream(part, 50_000);

        var (buffer, complete) = await PartBuffer.ReadAsync(body, limit, Ct);
        using (buffer)
        {
            Assert.False(complete);
            Assert.Equal(limit, buffer.Length);
            Assert.Equal(part[..limit], buffer.ToArray());
            Assert.Equal(part, await DrainAsync(buffer.OpenRead(body), 65_536));
        }
    }

    [Fact]
    public async Task Synchronous_reads_give_the_same_bytes()
    {
        var part = Bytes(PartBuffer.ChunkSize + 3);
        var (buffer, _) = await PartBuffer.ReadAsync(new MemoryStream(part), 8 * 1024 * 1024, Ct);
        using (buffer)
        {
            using var reader = buffer.OpenRead();
            using var copy = new MemoryStream();
            var chunk = new byte[10_000];
            int n;
            while ((n = reader.Read(chunk, 0, chunk.Length)) > 0)
            {
                copy.Write(chunk, 0, n);
            }

            Assert.Equal(part, copy.ToArray());
        }
    }

    [Fact]
    public async Task A_disposed_buffer_is_empty()
    {
        var (buffer, _) = await PartBuffer.ReadAsync(new MemoryStream(Bytes(1000)), 8 * 1024 * 1024, Ct);
        buffer.Dispose();

        Assert.Equal(0, buffer.Length);
        Assert.Empty(buffer.ToArray());
    }

    private static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> DrainAsync(Stream stream, int readSize)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            var chunk = new byte[readSize];
            int n;
            while ((n = await stream.ReadAsync(chunk, Ct)) > 0)
            {
                copy.Write(chunk, 0, n);
            }

            return copy.ToArray();
        }
    }

    /// <summary>A body that hands out at most <c>maxRead</c> bytes per read, as a network stream does.</summary>
    private sealed class TricklingStream(byte[] content, int maxRead) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
    }
}
