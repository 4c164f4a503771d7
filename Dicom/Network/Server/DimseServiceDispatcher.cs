using Microsoft.Extensions.Logging;
using Mirc.Dicom.Network.Dimse;
using Mirc.Dicom.Network.Upper;

namespace Mirc.Dicom.Network;

/// <summary>Runs the DIMSE services of one accepted association against the application's handler.</summary>
internal sealed class DimseServiceDispatcher(IDicomServiceHandler handler, DicomServiceContext context, DicomServerOptions options,
    ILoggerFactory loggerFactory) : IDimseRequestProcessor
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<DicomServer>();

    public async Task ProcessAsync(DimseChannel channel, IncomingRequest request, CancellationToken cancel)
    {
        switch (request.Command.Field)
        {
            case CommandField.CEchoRequest:
                var echo = await Guard(() => handler.OnCEchoAsync(context, cancel)).ConfigureAwait(false);
                await RespondAsync(channel, request, echo, cancel).ConfigureAwait(false);
                break;
            case CommandField.CStoreRequest:
                await StoreAsync(channel, request, cancel).ConfigureAwait(false);
                break;
            case CommandField.CFindRequest:
                await FindAsync(channel, request, cancel).ConfigureAwait(false);
                break;
            case CommandField.CGetRequest:
                await RetrieveAsync(channel, request, isMove: false, cancel).ConfigureAwait(false);
                break;
            case CommandField.CMoveRequest:
                await RetrieveAsync(channel, request, isMove: true, cancel).ConfigureAwait(false);
                break;
            default:
                await RespondAsync(channel, request, new DimseResult(DimseStatus.UnrecognizedOperation, "unsupported DIMSE command"), cancel)
                    .ConfigureAwait(false);
                break;
        }
    }

    private async Task StoreAsync(DimseChannel channel, IncomingRequest request, CancellationToken cancel)
    {
        var command = request.Command;
        var store = new CStoreRequest
        {
            SopClassUid = command.GetString(DimseCommand.AffectedSopClassUid),
            SopInstanceUid = command.GetString(DimseCommand.AffectedSopInstanceUid),
            TransferSyntaxUid = request.Context.TransferSyntax,
            MessageId = command.MessageIdValue,
            Priority = command.GetUShort(DimseCommand.Priority),
            MoveOriginatorAe = command.Contains(DimseCommand.MoveOriginatorAe) ? command.GetString(DimseCommand.MoveOriginatorAe) : null,
            MoveOriginatorMessageId = command.Contains(DimseCommand.MoveOriginatorMessageId) ? command.GetUShort(DimseCommand.MoveOriginatorMessageId) : null,
        };
        DimseResult result;
        if (request.DataSetStream is not { } dataSet)
            result = new DimseResult(DimseStatus.CannotUnderstand, "C-STORE-RQ without dataset");
        else if (store.SopClassUid != request.Context.AbstractSyntax)
            result = new DimseResult(DimseStatus.DataSetDoesNotMatchSopClass, "SOP class differs from the presentation context");
        else
            result = await Guard(() => handler.OnCStoreAsync(context, store, dataSet, cancel)).ConfigureAwait(false);
        // The handler may answer without reading everything: release the stream so the rest is discarded, not waited on.
        if (request.DataSetStream is { } stream) await stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            // Answer only once the whole request arrived; if the association broke meanwhile there is no one to answer.
            await request.DataSetReceived.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return;
        }
        await RespondAsync(channel, request, result, cancel).ConfigureAwait(false);
    }

    private async Task FindAsync(DimseChannel channel, IncomingRequest request, CancellationToken cancel)
    {
        if (!TryQueryFrom(request, out var query))
        {
            await RespondAsync(channel, request, new DimseResult(DimseStatus.CannotUnderstand, "identifier cannot be decoded"), cancel).ConfigureAwait(false);
            return;
        }
        var syntax = DicomTransferSyntax.Lookup(request.Context.TransferSyntax);
        var final = DimseResult.Success;
        try
        {
            await foreach (var match in handler.OnCFindAsync(context, query, cancel).ConfigureAwait(false))
            {
                cancel.ThrowIfCancellationRequested();
                var pending = DimseMessages.ResponseTo(request.Command, DimseStatus.Pending);
                await channel.SendAsync(request.Context.Id, pending, DicomDatasetWriter.Write(match, syntax), null, channel.Lifetime).ConfigureAwait(false);
            }
            cancel.ThrowIfCancellationRequested();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !channel.Lifetime.IsCancellationRequested)
        {
            final = new DimseResult(DimseStatus.Cancel);
        }
        catch (Exception ex) when (!channel.Lifetime.IsCancellationRequested)
        {
            final = Failure(ex, request);
        }
        await RespondAsync(channel, request, final, channel.Lifetime).ConfigureAwait(false);
    }

    private async Task RetrieveAsync(DimseChannel channel, IncomingRequest request, bool isMove, CancellationToken cancel)
    {
        if (!TryQueryFrom(request, out var query))
        {
            await RespondAsync(channel, request, new DimseResult(DimseStatus.CannotUnderstand, "identifier cannot be decoded"), cancel).ConfigureAwait(false);
            return;
        }
        var sources = new List<DicomInstanceSource>();
        DicomRemoteNode? destination = null;
        try
        {
            if (isMove)
            {
                destination = await handler.ResolveMoveDestinationAsync(context, query.MoveDestination ?? "", cancel).ConfigureAwait(false);
                if (destination is null)
                {
                    await RespondAsync(channel, request, new DimseResult(DimseStatus.MoveDestinationUnknown, $"unknown AE {query.MoveDestination}"), cancel)
                        .ConfigureAwait(false);
                    return;
                }
            }
            // Only metadata: the list gives the remaining count of every pending response.
            var items = isMove ? handler.OnCMoveAsync(context, query, cancel) : handler.OnCGetAsync(context, query, cancel);
            await foreach (var source in items.ConfigureAwait(false)) sources.Add(source);
        }
        catch (Exception ex) when (!channel.Lifetime.IsCancellationRequested)
        {
            var failure = ex is OperationCanceledException && cancel.IsCancellationRequested ? new DimseResult(DimseStatus.Cancel) : Failure(ex, request);
            await RespondAsync(channel, request, failure, channel.Lifetime).ConfigureAwait(false);
            return;
        }

        var progress = new RetrieveProgress(sources.Count);
        if (isMove && sources.Count > 0)
            await MoveToAsync(channel, request, destination!, sources, progress, cancel).ConfigureAwait(false);
        else
        {
            // The next C-STORE-RQ (or the final response) follows at once on this association: pending responses are
            // sent together with it.
            await SendEachAsync(channel, sources, progress, cancel,
                (source, ct) => InstanceSender.PrepareAsync(channel.Contexts, source, requirePeerScpRole: true, ct),
                prepared => prepared.FrameAsync(channel, channel.Lifetime),
                prepared => InstanceSender.SendPreparedAsync(channel, prepared, null, null, channel.Lifetime),
                () => SendPendingAsync(channel, request, progress, defer: true)).ConfigureAwait(false);
        }
        await SendFinalAsync(channel, request, progress, cancel.IsCancellationRequested).ConfigureAwait(false);
    }

    private async Task MoveToAsync(DimseChannel channel, IncomingRequest request, DicomRemoteNode destination,
        List<DicomInstanceSource> sources, RetrieveProgress progress, CancellationToken cancel)
    {
        DicomClient client;
        try
        {
            var proposals = DicomClient.ProposalsFor(sources.Select(s => (s.SopClassUid, s.TransferSyntaxUid)));
            client = await DicomClient.ConnectAsync(destination.Host, destination.Port, options.MoveCallingAe, destination.AeTitle, proposals,
                new DicomClientOptions { ArtimTimeout = options.ArtimTimeout, DimseTimeout = options.DimseTimeout, MaxPduLength = options.MaxPduLength, Tls = destination.Tls },
                loggerFactory, cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !channel.Lifetime.IsCancellationRequested)
        {
            NetworkLog.SubOperationFailed(_logger, "*", $"cannot associate with move destination {destination}: {ex.Message}");
            foreach (var source in sources) progress.Record(source, new DimseResult(DimseStatus.OutOfResourcesSubOperations));
            return;
        }
        await using (client.ConfigureAwait(false))
        {
            await SendEachAsync(channel, sources, progress, cancel,
                (source, ct) => InstanceSender.PrepareAsync(client.PresentationContexts, source, requirePeerScpRole: false, ct),
                client.FrameAsync,
                prepared => client.StorePreparedAsync(prepared, context.CallingAe, request.Command.MessageIdValue, channel.Lifetime),
                () => SendPendingAsync(channel, request, progress)).ConfigureAwait(false);
            try
            {
                await client.ReleaseAsync(channel.Lifetime).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                NetworkLog.SubOperationFailed(_logger, "*", $"release of move association failed: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The C-STORE sub-operations of a C-GET or C-MOVE: instances prepared a few ahead, sent in order, each result
    /// recorded and followed by <paramref name="afterEach"/> (the pending response); stops at a C-CANCEL. While one is
    /// sent and answered, the next one's data set is read into its PDUs (<paramref name="frame"/>), so the read is not
    /// between the peer's response and the next request.
    /// </summary>
    private async Task SendEachAsync(DimseChannel channel, List<DicomInstanceSource> sources, RetrieveProgress progress, CancellationToken cancel,
        Func<DicomInstanceSource, CancellationToken, Task<PreparedInstance>> prepare, Func<PreparedInstance, Task<FramedDataSet?>> frame,
        Func<PreparedInstance, Task<DimseResult>> send, Func<Task> afterEach)
    {
        var prefetcher = new InstancePrefetcher(sources, prepare, options.RetrievePrefetch, channel.Lifetime);
        await using (prefetcher.ConfigureAwait(false))
        {
            foreach (var source in sources)
            {
                if (cancel.IsCancellationRequested) break;
                var next = prefetcher.TakeNext();
                if (prefetcher.PeekNext() is { } following)
                {
                    _ = FrameWhenPreparedAsync(following, frame);
                }

                var result = await SendSubOperationAsync(async () =>
                {
                    var prepared = await next.ConfigureAwait(false);
                    await using (prepared.ConfigureAwait(false))
                        return await send(prepared).ConfigureAwait(false);
                }, source).ConfigureAwait(false);
                progress.Record(source, result);
                await afterEach().ConfigureAwait(false);
            }
        }
    }

    // A failure here is the instance's own: its send (or its disposal, if never sent) observes the same task.
    private static async Task FrameWhenPreparedAsync(Task<PreparedInstance> preparing, Func<PreparedInstance, Task<FramedDataSet?>> frame)
    {
        try
        {
            _ = frame(await preparing.ConfigureAwait(false));
        }
        catch (Exception)
        {
            // The preparation failed: the sub-operation that takes it reports why.
        }
    }

    private async Task<DimseResult> SendSubOperationAsync(Func<Task<DimseResult>> send, DicomInstanceSource source)
    {
        try
        {
            var result = await send().ConfigureAwait(false);
            if (!DimseStatus.IsSuccessOrWarning(result.Status))
                NetworkLog.SubOperationFailed(_logger, source.SopInstanceUid, $"status 0x{result.Status:X4} {result.ErrorComment}");
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One instance that cannot be read (its blob missing, unreadable, malformed) fails its own sub-operation;
            // the retrieve goes on with the others and its final status counts the failure.
            NetworkLog.SubOperationFailed(_logger, source.SopInstanceUid, ex.Message);
            return new DimseResult(DimseStatus.UnableToProcess, ex.Message);
        }
    }

    private static Task SendPendingAsync(DimseChannel channel, IncomingRequest request, RetrieveProgress progress, bool defer = false)
    {
        if (progress.Remaining == 0) return Task.CompletedTask; // the final response follows at once
        var pending = DimseMessages.ResponseTo(request.Command, DimseStatus.Pending);
        DimseMessages.SetCounts(pending, progress.Remaining, progress.Completed, progress.Failed, progress.Warning, includeRemaining: true);
        return defer
            ? channel.SendDeferredAsync(request.Context.Id, pending, channel.Lifetime)
            : channel.SendAsync(request.Context.Id, pending, default, null, channel.Lifetime);
    }

    private static Task SendFinalAsync(DimseChannel channel, IncomingRequest request, RetrieveProgress progress, bool cancelled)
    {
        ushort status = cancelled ? DimseStatus.Cancel
            : progress.Failed == 0 && progress.Warning == 0 ? DimseStatus.Success
            : progress.Completed == 0 && progress.Warning == 0 ? DimseStatus.OutOfResourcesSubOperations
            : DimseStatus.Warning;
        var response = DimseMessages.ResponseTo(request.Command, status);
        DimseMessages.SetCounts(response, progress.Remaining, progress.Completed, progress.Failed, progress.Warning, includeRemaining: cancelled);
        var failedUids = progress.FailedUids;
        var identifier = failedUids.Count > 0
            ? FailedInstancesIdentifier.Encode(failedUids, request.Context.TransferSyntax)
            : default(ReadOnlyMemory<byte>);
        DimseMetrics.OperationCompleted(request.Command.Field, status, request.ReceivedAt);
        return channel.SendAsync(request.Context.Id, response, identifier, null, channel.Lifetime);
    }

    private static bool TryQueryFrom(IncomingRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomQueryRequest? query)
    {
        DicomDataset identifier;
        try
        {
            identifier = DicomDatasetReader.Read(request.DataSet, DicomTransferSyntax.Lookup(request.Context.TransferSyntax));
        }
        catch (Exception ex) when (ex is DicomFormatException or ArgumentException or InvalidDataException or IndexOutOfRangeException)
        {
            query = null;
            return false;
        }
        query = new DicomQueryRequest
        {
            SopClassUid = request.Command.GetString(DimseCommand.AffectedSopClassUid),
            Identifier = identifier,
            TransferSyntaxUid = request.Context.TransferSyntax,
            MessageId = request.Command.MessageIdValue,
            Priority = request.Command.GetUShort(DimseCommand.Priority),
            MoveDestination = request.Command.Field == CommandField.CMoveRequest ? request.Command.GetString(DimseCommand.MoveDestination) : null,
        };
        return true;
    }

    private async Task<DimseResult> Guard(Func<ValueTask<DimseResult>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DimseServiceException ex)
        {
            return new DimseResult(ex.Status, ex.Message);
        }
        catch (IOException ex)
        {
            // The dataset stream failed (association aborted): the caller will not answer anyway.
            return new DimseResult(DimseStatus.ProcessingFailure, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "DICOM service handler failed");
            return new DimseResult(DimseStatus.ProcessingFailure, ex.Message);
        }
    }

    private DimseResult Failure(Exception ex, IncomingRequest request)
    {
        if (ex is DimseServiceException dse) return new DimseResult(dse.Status, dse.Message);
        NetworkLog.OperationFailed(_logger, context.CallingAe, request.Command.ToString(), ex);
        return new DimseResult(DimseStatus.UnableToProcess, ex.Message);
    }

    private static Task RespondAsync(DimseChannel channel, IncomingRequest request, DimseResult result, CancellationToken ct)
    {
        DimseMetrics.OperationCompleted(request.Command.Field, result.Status, request.ReceivedAt);
        return channel.SendAsync(request.Context.Id, DimseMessages.ResponseTo(request.Command, result), default, null,
            ct.IsCancellationRequested ? channel.Lifetime : ct);
    }
}
