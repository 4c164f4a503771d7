using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mirc.Bench.Data;

namespace Mirc.Bench.DicomWeb;

/// <summary>
/// A STOW-RS request body: <c>multipart/related; type="application/dicom"</c> with one part per Part 10 file,
/// streamed straight from the in-memory files with a known Content-Length (no chunking, no copy into one buffer).
/// </summary>
public sealed class MultipartRelatedContent : HttpContent
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _parts;
    private readonly byte[] _partHeader;
    private readonly byte[] _partTrailer = "\r\n"u8.ToArray();
    private readonly byte[] _close;

    /// <summary>Wraps <paramref name="instances"/> as parts, in order.</summary>
    public MultipartRelatedContent(IEnumerable<BenchInstance> instances)
        : this(instances.Select(i => i.Part10).ToArray(), "application/dicom")
    {
    }

    /// <summary>Wraps raw <paramref name="parts"/> of media type <paramref name="partType"/>.</summary>
    public MultipartRelatedContent(IReadOnlyList<ReadOnlyMemory<byte>> parts, string partType)
    {
        _parts = parts;
        Boundary = "mirc-bench-" + Guid.NewGuid().ToString("N");
        _partHeader = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: {partType}\r\n\r\n");
        _close = Encoding.ASCII.GetBytes($"--{Boundary}--\r\n");
        var type = new MediaTypeHeaderValue("multipart/related");
        type.Parameters.Add(new NameValueHeaderValue("type", $"\"{partType}\""));
        type.Parameters.Add(new NameValueHeaderValue("boundary", Boundary));
        Headers.ContentType = type;
    }

    /// <summary>The boundary between parts.</summary>
    public string Boundary { get; }

    /// <inheritdoc />
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        foreach (var part in _parts)
        {
            await stream.WriteAsync(_partHeader, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(_partTrailer, cancellationToken).ConfigureAwait(false);
        }

        await stream.WriteAsync(_close, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = _parts.Sum(p => (long)_partHeader.Length + p.Length + _partTrailer.Length) + _close.Length;
        return true;
    }
}
