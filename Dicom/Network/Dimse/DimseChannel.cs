using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mirc.Dicom.Network.Upper;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// An established association: assembles DIMSE messages from P-DATA-TF PDUs, routes responses to the requests that
/// wait for them, runs incoming requests concurrently with the receive loop (so C-CANCEL and C-GET's C-STORE-RSP get
/// through), handles release and abort. Both the server and the client use it.
/// </summary>
internal sealed class DimseChannel : IAsyncDisposable
{
    private const uint MaxControlPduLength = 64 * 1024;
    private const int MaxCommandLength = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PduFramer _framer;
    private readonly PduWriter _writer;
    private readonly DicomNetworkOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<byte, NegotiatedPresentationContext> _contexts;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<ushort, Channel<IncomingResponse>> _waiters = [];
    private readonly Dictionary<ushort, (CancellationTokenSource Cts, Task Task)> _running = [];
    private readonly TaskCompletionSource _releaseResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AssociationEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextMessageId;
    private int _aborting;
    private int _disposed;

    // Message being received.
    private readonly ArrayBufferWriter<byte> _commandBuffer = new(256);
    private DimseCommand? _command;
    private byte _commandContext;
    private Pipe? _dataPipe;
    private Exception? _endFailure;
    private bool _dataPipeReaderGone;
    private TaskCompletionSource? _dataReceived;
    private ArrayBufferWriter<byte>? _dataBuffer;
    private bool _midMessage;

    public DimseChannel(Socket socket, Stream stream, PipeReader reader, PduFramer framer, uint peerMaxPdu,
        IReadOnlyList<NegotiatedPresentationContext> contexts, DicomNetworkOptions options, ILogger logger, string name)
    {
        _socket = socket;
        _stream = stream;
        _reader = reader;
        _framer = framer;
        _writer = new PduWriter(stream, peerMaxPdu);
        _options = options;
        _logger = logger;
        Name = name;
        Contexts = contexts;
        _contexts = contexts.Where(c => c.IsAccepted).ToDictionary(c => c.Id);
    }

    /// <summary>Label used in logs: "CALLING->CALLED@remote".</summary>
    public string Name { get; }

    public IReadOnlyList<NegotiatedPresentationContext> Contexts { get; }

    public IDimseRequestProcessor? Processor { get; set; }

    /// <summary>Completes with how the association ended.</summary>
    public Task<AssociationEnd> Ended => _ended.Task;

    /// <summary>Cancelled when the association ends.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    public ushort NextMessageId() => (ushort)(Interlocked.Increment(ref _nextMessageId) & 0xFFFF);

    public NegotiatedPresentationContext? FindContext(byte id) => _contexts.GetValueOrDefault(id);

    /// <summary>Sends one DIMSE message; the dataset is either in memory or streamed from <paramref name="dataSetStream"/>.</summary>
    public Task SendAsync(byte contextId, DimseCommand command, ReadOnlyMemory<byte> dataSet, Stream? dataSetStream, CancellationToken ct)
    {
        command.HasDataSet = dataSetStream is not null || !dataSet.IsEmpty;
        return _writer.WriteMessageAsync(contextId, command.Encode(), dataSet, dataSetStream, ct);
    }

    /// <summary>Reads a data set into its PDUs for this association ahead of its message; null when it is to be streamed.</summary>
    public Task<FramedDataSet?> FrameAsync(byte contextId, Stream dataSet, CancellationToken ct) => _writer.FrameAsync(contextId, dataSet, ct);

    /// <summary>Sends one DIMSE message whose data set was framed ahead (<see cref="FrameAsync"/>).</summary>
    public Task SendAsync(DimseCommand command, FramedDataSet framed, CancellationToken ct)
    {
        command.HasDataSet = true;
        return _writer.WriteMessageAsync(command.Encode(), framed, ct);
    }

    /// <summary>Queues a command-only message to leave with the next message sent on this association.</summary>
    public Task SendDeferredAsync(byte contextId, DimseCommand command, CancellationToken ct)
    {
        command.HasDataSet = false;
        return _writer.DeferMessageAsync(contextId, command.Encode(), ct);
    }

    /// <summary>Registers interest in the responses to <paramref name="messageId"/> before the request is sent.</summary>
    public ChannelReader<IncomingResponse> ExpectResponses(ushort messageId)
    {
        var channel = Channel.CreateUnbounded<IncomingResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_gate)
        {
            if (_ended.Task.IsCompleted) channel.Writer.TryComplete(new DicomAssociationException("association has ended"));
            else _waiters[messageId] = channel;
        }
        return channel.Reader;
    }

    public void ForgetResponses(ushort messageId)
    {
        lock (_gate) _waiters.Remove(messageId);
    }

    /// <summary>Receives PDUs until the association is released, aborted or the connection drops.</summary>
    public async Task<AssociationEnd> RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _lifetime.Token);
        using var timeout = new CancellationTokenSource();
        AssociationEnd end;
        try
        {
            end = await ReceiveLoopAsync(stop.Token, timeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever broke this association (protocol violation, timeout, lost connection, bug) stays confined to it.
            var reason = ex switch
            {
                OperationCanceledException when timeout.IsCancellationRequested => "peer timed out (no PDU within the timeout)",
                OperationCanceledException => "shutting down",
                DicomProtocolException or IOException or SocketException => ex.Message,
                _ => $"internal error: {ex.GetType().Name}: {ex.Message}",
            };
            await AbortAsync(reason, ex).ConfigureAwait(false);
            end = AssociationEnd.AbortedLocally;
        }
        Finish(end, null);
        return end;
    }

    private async Task<AssociationEnd> ReceiveLoopAsync(CancellationToken ct, CancellationTokenSource timeout)
    {
        while (true)
        {
            timeout.CancelAfter(CurrentTimeout());
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            var maybePdu = await _framer.ReadAsync(Math.Max(_options.MaxPduLength, MaxControlPduLength), linked.Token).ConfigureAwait(false);
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            if (maybePdu is not { } pdu)
            {
                if (_midMessage || RunningCount() > 0) throw new IOException("peer closed the connection during an operation");
                Finish(AssociationEnd.ConnectionClosed, new IOException("peer closed the connection"));
                return AssociationEnd.ConnectionClosed;
            }
            switch (pdu.Type)
            {
                case PduType.DataTransfer:
                    if (pdu.Body.Length > _options.MaxPduLength)
                        throw new DicomProtocolException($"P-DATA-TF of {pdu.Body.Length} bytes exceeds our maximum {_options.MaxPduLength}");
                    await OnDataAsync(pdu.Body, ct).ConfigureAwait(false);
                    break;
                case PduType.ReleaseRequest:
                    _framer.ReleasePrevious();
                    await WaitForOperationsAsync().ConfigureAwait(false);
                    await _writer.WriteRawAsync(AssociatePduCodec.EncodeReleaseResponse(), ct).ConfigureAwait(false);
                    NetworkLog.AssociationReleased(_logger, Name);
                    return AssociationEnd.Released;
                case PduType.ReleaseResponse:
                    _releaseResponse.TrySetResult();
                    NetworkLog.AssociationReleased(_logger, Name);
                    return AssociationEnd.Released;
                case PduType.Abort:
                    NetworkLog.AssociationAborted(_logger, Name, "A-ABORT received from peer", null);
                    Finish(AssociationEnd.AbortedByPeer, new DicomAssociationException("association aborted by the peer"));
                    return AssociationEnd.AbortedByPeer;
                default:
                    throw new DicomProtocolException($"unexpected {pdu.Type} PDU on an established association");
            }
        }
    }

    private TimeSpan CurrentTimeout()
    {
        lock (_gate)
        {
            if (_midMessage || _waiters.Count > 0) return _options.DimseTimeout;
            // The application is working on a request (e.g. a durable store): the peer legitimately stays silent.
            if (_running.Count > 0) return Timeout.InfiniteTimeSpan;
        }
        return _options.IdleTimeout;
    }

    private int RunningCount()
    {
        lock (_gate) return _running.Count;
    }

    private async ValueTask OnDataAsync(ReadOnlySequence<byte> body, CancellationToken ct)
    {
        var position = 0L;
        while (position < body.Length)
        {
            if (body.Length - position < 6) throw new DicomProtocolException("truncated PDV item header");
            var header = ReadPdvHeader(body.Slice(position, 6));
            if (header.Length < 2 || header.Length > body.Length - position - 4)
                throw new DicomProtocolException($"PDV item length {header.Length} inconsistent with its PDU");
            var data = body.Slice(position + 6, header.Length - 2);
            position += 4 + header.Length;
            var isCommand = (header.Control & 1) != 0;
            var isLast = (header.Control & 2) != 0;
            if (!_contexts.ContainsKey(header.ContextId))
                throw new DicomProtocolException($"PDV on presentation context {header.ContextId} which was not accepted");
            _midMessage = true;
            if (isCommand) await OnCommandFragmentAsync(header.ContextId, data, isLast).ConfigureAwait(false);
            else await OnDataSetFragmentAsync(header.ContextId, data, isLast, ct).ConfigureAwait(false);
        }
        _framer.ReleasePrevious();
    }

    private static (uint Length, byte ContextId, byte Control) ReadPdvHeader(ReadOnlySequence<byte> six)
    {
        Span<byte> h = stackalloc byte[6];
        six.CopyTo(h);
        return (BinaryPrimitives.ReadUInt32BigEndian(h), h[4], h[5]);
    }

    private ValueTask OnCommandFragmentAsync(byte contextId, ReadOnlySequence<byte> data, bool isLast)
    {
        if (_command is not null) throw new DicomProtocolException("command fragment received while a dataset was expected");
        if (_commandBuffer.WrittenCount + data.Length > MaxCommandLength) throw new DicomProtocolException("DIMSE command too long");
        foreach (var segment in data) _commandBuffer.Write(segment.Span);
        if (!isLast) return ValueTask.CompletedTask;

        var command = DimseCommand.Decode(new ReadOnlySequence<byte>(_commandBuffer.WrittenMemory));
        _commandBuffer.ResetWrittenCount();
        _commandContext = contextId;
        if (!command.HasDataSet)
        {
            _midMessage = false;
            Dispatch(command, contextId, default, null, Task.CompletedTask);
            return ValueTask.CompletedTask;
        }
        _command = command;
        if (command.Field == CommandField.CStoreRequest)
        {
            // Stream the instance to the application as it arrives; the pipe's thresholds give back-pressure to TCP.
            _dataPipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024,
                minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
            _dataPipeReaderGone = false;
            _dataReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Dispatch(command, contextId, default, new IncomingDataSetStream(_dataPipe.Reader.AsStream(), () => Volatile.Read(ref _endFailure)), _dataReceived.Task);
        }
        else
        {
            _dataBuffer = new ArrayBufferWriter<byte>(1024);
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask OnDataSetFragmentAsync(byte contextId, ReadOnlySequence<byte> data, bool isLast, CancellationToken ct)
    {
        if (_command is null) throw new DicomProtocolException("dataset fragment received without a command");
        if (contextId != _commandContext) throw new DicomProtocolException("dataset fragment on another presentation context than its command");
        if (_dataPipe is { } pipe)
        {
            if (!_dataPipeReaderGone)
            {
                foreach (var segment in data) pipe.Writer.Write(segment.Span);
                var flush = await pipe.Writer.FlushAsync(ct).ConfigureAwait(false);
                // The application stopped reading (it answered early): the rest of the dataset is discarded.
                if (flush.IsCompleted) _dataPipeReaderGone = true;
            }
            if (isLast)
            {
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                _dataReceived!.TrySetResult();
                ResetMessage();
            }
            return;
        }
        var buffer = _dataBuffer!;
        if (buffer.WrittenCount + data.Length > _options.MaxBufferedDataSetLength)
            throw new DicomProtocolException($"{_command.Field} dataset larger than {_options.MaxBufferedDataSetLength} bytes");
        foreach (var segment in data) buffer.Write(segment.Span);
        if (isLast)
        {
            var command = _command;
            ResetMessage();
            Dispatch(command, contextId, buffer.WrittenMemory, null, Task.CompletedTask);
        }
    }

    private void ResetMessage()
    {
        _command = null;
        _dataPipe = null;
        _dataReceived = null;
        _dataBuffer = null;
        _midMessage = false;
    }

    private void Dispatch(DimseCommand command, byte contextId, ReadOnlyMemory<byte> dataSet, Stream? stream, Task received)
    {
        if (command.IsResponse)
        {
            var id = command.GetUShort(DimseCommand.MessageIdBeingRespondedTo);
            Channel<IncomingResponse>? waiter;
            lock (_gate) _waiters.TryGetValue(id, out waiter);
            if (waiter is null) NetworkLog.UnexpectedResponse(_logger, Name, command.ToString());
            else waiter.Writer.TryWrite(new IncomingResponse(command, dataSet, contextId));
            return;
        }
        if (command.Field == CommandField.CCancelRequest)
        {
            var id = command.GetUShort(DimseCommand.MessageIdBeingRespondedTo);
            lock (_gate)
            {
                if (_running.TryGetValue(id, out var op)) op.Cts.Cancel();
            }
            return;
        }
        var request = new IncomingRequest
        {
            Command = command, Context = _contexts[contextId], DataSet = dataSet, DataSetStream = stream, DataSetReceived = received,
        };
        StartOperation(request);
    }

    private void StartOperation(IncomingRequest request)
    {
        var processor = Processor;
        var id = request.Command.MessageIdValue;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = RunOperationAsync(processor, request, start.Task, cts);
        lock (_gate) _running[id] = (cts, task);
        start.SetResult();

        async Task RunOperationAsync(IDimseRequestProcessor? p, IncomingRequest r, Task started, CancellationTokenSource c)
        {
            await started.ConfigureAwait(false);
            try
            {
                if (p is null) throw new InvalidOperationException("no processor for incoming requests");
                await p.ProcessAsync(this, r, c.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException && _lifetime.IsCancellationRequested)
            {
                // association ended: nothing left to answer
            }
            catch (Exception ex)
            {
                NetworkLog.OperationFailed(_logger, Name, r.Command.ToString(), ex);
                // The operation's response may be half sent or never coming: the peer would wait for it forever.
                await AbortAsync($"{r.Command.Field} failed: {ex.Message}").ConfigureAwait(false);
            }
            finally
            {
                if (r.DataSetStream is { } s) await s.DisposeAsync().ConfigureAwait(false);
                lock (_gate) _running.Remove(r.Command.MessageIdValue);
                c.Dispose();
            }
        }
    }

    private async Task WaitForOperationsAsync()
    {
        Task[] tasks;
        lock (_gate) tasks = _running.Values.Select(v => v.Task).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Requestor side: A-RELEASE-RQ, then waits for A-RELEASE-RP (ARTIM).</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        await _writer.WriteRawAsync(AssociatePduCodec.EncodeReleaseRequest(), ct).ConfigureAwait(false);
        await _releaseResponse.Task.WaitAsync(_options.ArtimTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>Sends A-ABORT (best effort), fails every waiter and dataset stream, closes the connection.</summary>
    public async Task AbortAsync(string reason, Exception? cause = null)
    {
        if (Interlocked.Exchange(ref _aborting, 1) == 1) return;
        // Expected causes are fully described by the reason; anything else keeps its stack trace in the log.
        var logged = cause is null or DicomProtocolException or IOException or SocketException or OperationCanceledException ? null : cause;
        NetworkLog.AssociationAborted(_logger, Name, reason, logged);
        try
        {
            // Source 0 = service-user (the application asked), 2 = service-provider (protocol error, timeout); reason 0 = not specified.
            var pdu = AssociatePduCodec.EncodeAbort(cause is null ? (byte)0 : (byte)2, 0);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _stream.WriteAsync(pdu, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer may already be gone
        }
        Finish(AssociationEnd.AbortedLocally, new IOException($"DICOM association aborted: {reason}"));
    }

    private void Finish(AssociationEnd end, Exception? failure)
    {
        if (!_ended.TrySetResult(end)) return;
        failure ??= new DicomAssociationException($"association ended ({end})");
        // Before the pipe fails and the operations' tokens are cancelled: a dataset read cancelled by this teardown
        // reports the failure (IncomingDataSetStream).
        Volatile.Write(ref _endFailure, failure);
        if (_dataPipe is { } pipe)
        {
            // The application's dataset stream fails: nothing partial may be kept.
            pipe.Writer.Complete(failure as IOException ?? new IOException(failure.Message, failure));
            _dataReceived?.TrySetException(failure);
        }
        _releaseResponse.TrySetException(failure);
        List<Channel<IncomingResponse>> waiters;
        lock (_gate)
        {
            waiters = [.. _waiters.Values];
            _waiters.Clear();
        }
        foreach (var w in waiters) w.Writer.TryComplete(failure);
        try { _lifetime.Cancel(); } catch (ObjectDisposedException) { }
        if (end != AssociationEnd.Released) _socket.Close(0);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Finish(AssociationEnd.ConnectionClosed, null);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await WaitForOperationsAsync().WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // operations that ignore cancellation are left behind
        }
        _framer.ReleasePrevious();
        await _reader.CompleteAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false); // a TLS stream holds native state of its own
        _writer.Dispose();
        _lifetime.Dispose();
    }
}
