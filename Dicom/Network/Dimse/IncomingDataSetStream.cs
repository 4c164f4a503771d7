namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// The dataset stream a C-STORE handler reads: the pipe fed by the association's P-DATA fragments. When the association
/// breaks, the pipe fails with an <see cref="IOException"/>, but the same teardown cancels the operation's token, and a
/// read waiting on both may see the cancellation first. Such a read reports the break it is (the handler's contract:
/// <see cref="IOException"/>, keep nothing); a cancellation while the association lives stays a cancellation.
/// </summary>
internal sealed class IncomingDataSetStream(Stream pipe, Func<Exception?> associationFailure) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return pipe.Read(buffer, offset, count);
        }
        catch (OperationCanceledException) when (associationFailure() is { } failure)
        {
            throw Broken(failure);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await pipe.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (associationFailure() is { } failure)
        {
            throw Broken(failure);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => pipe.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pipe.Dispose();
        }

        base.Dispose(disposing);
    }

    // The same exception the pipe fails with (DimseChannel.Finish).
    private static IOException Broken(Exception failure) => failure as IOException ?? new IOException(failure.Message, failure);
}
