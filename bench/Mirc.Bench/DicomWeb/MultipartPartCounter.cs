using System.Buffers;
using System.Text;

namespace Mirc.Bench.DicomWeb;

/// <summary>
/// Reads a <c>multipart/related</c> body to its end and counts its parts, without keeping them: the benchmark wants
/// the server's full transfer but has no use for the pixels. The count also checks the response is complete.
/// </summary>
public static class MultipartPartCounter
{
    private const int ChunkSize = 128 * 1024;

    /// <summary>Result of a count.</summary>
    /// <param name="Parts">Body parts between the first delimiter and the close delimiter.</param>
    /// <param name="Bytes">Bytes of the whole body.</param>
    /// <param name="Closed">Whether the close delimiter (<c>--boundary--</c>) was seen.</param>
    public readonly record struct Count(int Parts, long Bytes, bool Closed);

    /// <summary>Consumes <paramref name="body"/> and counts the parts delimited by <paramref name="boundary"/>.</summary>
    public static async Task<Count> CountAsync(Stream body, string boundary, CancellationToken cancellationToken)
    {
        // Every delimiter is CRLF "--" boundary; the first one may come without the CRLF, so the scan starts with one.
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + delimiter.Length + 2);
        try
        {
            buffer[0] = (byte)'\r';
            buffer[1] = (byte)'\n';
            var carried = 2;
            var delimiters = 0;
            long bytes = 0;
            var closed = false;
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(carried, ChunkSize), cancellationToken).ConfigureAwait(false);
                var filled = carried + read;
                var window = buffer.AsSpan(0, filled);
                var position = 0;
                while (true)
                {
                    var at = window[position..].IndexOf(delimiter);
                    if (at < 0) break;
                    var end = position + at + delimiter.Length;
                    // A delimiter whose two following bytes are not yet read is left for the next round.
                    if (read > 0 && end + 2 > filled) break;
                    delimiters++;
                    closed = end + 2 <= filled && window[end] == '-' && window[end + 1] == '-';
                    position = end;
                }

                bytes += read;
                if (read == 0) break;
                // Keep the bytes that may begin a delimiter (or a found one whose suffix is not read yet).
                var keep = Math.Min(filled - position, delimiter.Length + 1);
                buffer.AsSpan(filled - keep, keep).CopyTo(buffer);
                carried = keep;
            }

            return new Count(Math.Max(delimiters - 1, 0), bytes, closed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
