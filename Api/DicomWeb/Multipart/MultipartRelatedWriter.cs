using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;

namespace Mirc.Api.DicomWeb.Multipart;

/// <summary>
/// Writes a <c>multipart/related</c> body part by part straight to the response pipe, so a whole study is never
/// held in memory: each part's content is copied from its source stream as it is read.
/// </summary>
public sealed class MultipartRelatedWriter
{
    private const int CopyChunk = 64 * 1024;
    private readonly PipeWriter _output;
    private readonly byte[] _delimiter;
    private bool _firstPart = true;

    /// <summary>Creates a writer with a fresh random boundary.</summary>
    public MultipartRelatedWriter(PipeWriter output)
    {
        _output = output;
        Boundary = "mirc-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _delimiter = Encoding.ASCII.GetBytes("--" + Boundary);
    }

    /// <summary>The boundary, to be announced in the response Content-Type.</summary>
    public string Boundary { get; }

    /// <summary>The response Content-Type: <c>multipart/related; type="…"; boundary=…</c>.</summary>
    public string ContentType(string partType, string? transferSyntax = null) =>
        transferSyntax is null
            ? $"multipart/related; type=\"{partType}\"; boundary={Boundary}"
            : $"multipart/related; type=\"{partType}\"; transfer-syntax={transferSyntax}; boundary={Boundary}";

    /// <summary>Writes the delimiter and headers of the next part; the content follows with <c>WriteContentAsync</c>.</summary>
    public void BeginPart(string contentType, string? transferSyntax = null, string? contentLocation = null, long? contentLength = null)
    {
        var header = new StringBuilder(160);
        header.Append(_firstPart ? "" : "\r\n");
        _firstPart = false;
        WriteAscii(header.ToString());
        _output.Write(_delimiter);
        header.Clear();
        header.Append("\r\nContent-Type: ").Append(contentType);
        if (transferSyntax is not null) header.Append("; transfer-syntax=").Append(transferSyntax);
        if (contentLocation is not null) header.Append("\r\nContent-Location: ").Append(contentLocation);
        if (contentLength is not null) header.Append("\r\nContent-Length: ").Append(contentLength.Value);
        header.Append("\r\n\r\n");
        WriteAscii(header.ToString());
    }

    /// <summary>Copies <paramref name="content"/> into the current part, flushing each chunk so memory stays bounded.</summary>
    public async Task WriteContentAsync(Stream content, CancellationToken cancellationToken)
    {
        while (true)
        {
            var memory = _output.GetMemory(CopyChunk);
            var read = await content.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            _output.Advance(read);
            var flush = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCanceled || flush.IsCompleted) throw new OperationCanceledException("The client stopped reading.");
        }
    }

    /// <summary>Copies in-memory content into the current part.</summary>
    public async Task WriteContentAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var flush = await _output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        if (flush.IsCanceled || flush.IsCompleted) throw new OperationCanceledException("The client stopped reading.");
    }

    /// <summary>Writes the closing delimiter and flushes.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!_firstPart) WriteAscii("\r\n");
        _output.Write(_delimiter);
        WriteAscii("--\r\n");
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void WriteAscii(string text)
    {
        if (text.Length == 0) return;
        var span = _output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        _output.Advance(written);
    }
}
