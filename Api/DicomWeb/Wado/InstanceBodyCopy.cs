using System.IO.Pipelines;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// Copies a stored instance into the response body: read straight into the response pipe's memory (a file is read by
/// the kernel into it, no intermediate buffer) in chunks as large as the instance, one flush per chunk. Small chunks
/// would cost a flush, a wake-up of the socket sender and a pause of this writer each.
/// </summary>
internal static class InstanceBodyCopy
{
    /// <summary>Largest single read/flush: a CT or MR slice fits in one, a large instance stays bounded in memory.</summary>
    internal const int MaxChunk = 1024 * 1024;

    /// <summary>
    /// Copies <paramref name="length"/> bytes of <paramref name="content"/> (fewer if it ends first) to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">The client stopped reading.</exception>
    public static async Task CopyAsync(Stream content, long length, PipeWriter output, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var memory = output.GetMemory((int)Math.Min(remaining, MaxChunk));
            var chunk = (int)Math.Min(memory.Length, Math.Min(remaining, MaxChunk));
            memory = memory[..chunk];
            var read = await content.ReadAtLeastAsync(memory, chunk, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            output.Advance(read);
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCanceled || flush.IsCompleted) throw new OperationCanceledException("The client stopped reading.");
            if (read < chunk) return;
            remaining -= read;
        }
    }
}
