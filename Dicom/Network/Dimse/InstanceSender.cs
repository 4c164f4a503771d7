using Mirc.Dicom.PixelData;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>Sends stored instances as C-STORE-RQ on an association and waits for each C-STORE-RSP.</summary>
internal static class InstanceSender
{
    /// <summary>Status used locally when an instance cannot be offered to the peer at all.</summary>
    public const ushort NotSendable = DimseStatus.SopClassNotSupported;

    /// <summary>
    /// Opens the Part 10 file of <paramref name="source"/>, skips its File Meta and sends the dataset on a context
    /// accepted for its SOP class and transfer syntax.
    /// </summary>
    /// <param name="channel">Association.</param>
    /// <param name="source">Instance to send.</param>
    /// <param name="requirePeerScpRole">C-GET: the peer (the requestor) must have been granted the SCP role.</param>
    /// <param name="moveOriginatorAe">C-MOVE originator AE, if a C-MOVE sub-operation.</param>
    /// <param name="moveOriginatorId">C-MOVE originator message ID.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<DimseResult> SendAsync(DimseChannel channel, DicomInstanceSource source, bool requirePeerScpRole,
        string? moveOriginatorAe, ushort? moveOriginatorId, CancellationToken ct)
    {
        var prepared = await PrepareAsync(channel.Contexts, source, requirePeerScpRole, ct).ConfigureAwait(false);
        await using (prepared.ConfigureAwait(false))
            return await SendPreparedAsync(channel, prepared, moveOriginatorAe, moveOriginatorId, ct).ConfigureAwait(false);
    }

    /// <summary>Chooses the context, opens the instance and skips its File Meta (done ahead of sending by the prefetcher).</summary>
    public static async Task<PreparedInstance> PrepareAsync(IReadOnlyList<NegotiatedPresentationContext> contexts, DicomInstanceSource source,
        bool requirePeerScpRole, CancellationToken ct)
    {
        var context = SelectContext(contexts, source.SopClassUid, source.TransferSyntaxUid, requirePeerScpRole)
            ?? SelectTranscodingContext(contexts, source.SopClassUid, source.TransferSyntaxUid, requirePeerScpRole);
        if (context is null)
            return PreparedInstance.Refused(source, new DimseResult(NotSendable,
                $"peer accepted no context for {source.SopClassUid} in {source.TransferSyntaxUid} or a syntax it converts to"));
        var file = await source.OpenAsync(ct).ConfigureAwait(false);
        try
        {
            if (context.TransferSyntax != source.TransferSyntaxUid)
            {
                // The peer did not accept the stored syntax: decode (and re-encode) a copy in memory; storage is untouched.
                var decoded = await DicomFileReader.ReadAsync(file, cancellationToken: ct).ConfigureAwait(false);
                var target = DicomTransferSyntax.Lookup(context.TransferSyntax);
                byte[] encoded;
                try
                {
                    encoded = DicomDatasetWriter.Write(DicomTranscoder.Transcode(decoded.Dataset, decoded.TransferSyntax, target), target);
                }
                catch (Exception ex) when (ex is DicomFormatException or NotSupportedException)
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    return PreparedInstance.Refused(source, new DimseResult(DimseStatus.UnableToProcess,
                        $"cannot convert {source.TransferSyntaxUid} to {context.TransferSyntax}: {ex.Message}"));
                }
                return PreparedInstance.Ready(source, context, file, new MemoryStream(encoded, writable: false));
            }
            var (_, dataSet) = await FileMetaReader.ReadAsync(file, ct).ConfigureAwait(false);
            return PreparedInstance.Ready(source, context, file, dataSet);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One C-STORE exchange for a prepared instance (its refusal, without sending, when it has no context).</summary>
    public static async Task<DimseResult> SendPreparedAsync(DimseChannel channel, PreparedInstance prepared, string? moveOriginatorAe, ushort? moveOriginatorId,
        CancellationToken ct)
    {
        if (prepared.Refusal is { } refusal)
        {
            return refusal;
        }

        // Read ahead by the retrieve loop (or now): a framed data set leaves in one write; a larger one is streamed.
        var framed = await prepared.FrameAsync(channel, ct).ConfigureAwait(false);
        Func<DimseCommand, CancellationToken, Task> send = framed is null
            ? (command, token) => channel.SendAsync(prepared.Context!.Id, command, default, prepared.DataSet!, token)
            : (command, token) => channel.SendAsync(command, framed, token);
        return await StoreAsync(channel, prepared.Source.SopClassUid, prepared.Source.SopInstanceUid, send, moveOriginatorAe, moveOriginatorId, ct)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Accepted context for the SOP class in a syntax the stored one converts to (decode, then encode if compressed);
    /// uncompressed contexts first, as every decodable syntax reaches them.
    /// </summary>
    public static NegotiatedPresentationContext? SelectTranscodingContext(IReadOnlyList<NegotiatedPresentationContext> contexts, string sopClassUid,
        string storedTransferSyntaxUid, bool requirePeerScpRole)
    {
        NegotiatedPresentationContext? encoded = null;
        foreach (var c in contexts)
        {
            if (!c.IsAccepted || c.AbstractSyntax != sopClassUid || (requirePeerScpRole && !c.RequestorIsScp)) continue;
            if (!DicomTranscoder.CanTranscodeWithoutLoss(storedTransferSyntaxUid, c.TransferSyntax)) continue;
            if (!DicomTransferSyntax.Lookup(c.TransferSyntax).IsEncapsulated) return c;
            encoded ??= c;
        }
        return encoded;
    }

    /// <summary>Accepted context for the SOP class with exactly the stored transfer syntax.</summary>
    public static NegotiatedPresentationContext? SelectContext(IReadOnlyList<NegotiatedPresentationContext> contexts, string sopClassUid,
        string transferSyntaxUid, bool requirePeerScpRole)
    {
        foreach (var c in contexts)
        {
            if (!c.IsAccepted || c.AbstractSyntax != sopClassUid || c.TransferSyntax != transferSyntaxUid) continue;
            if (requirePeerScpRole && !c.RequestorIsScp) continue;
            return c;
        }
        return null;
    }

    /// <summary>One C-STORE exchange with a dataset stream positioned on its first byte.</summary>
    public static Task<DimseResult> StoreAsync(DimseChannel channel, byte contextId, string sopClassUid, string sopInstanceUid,
        Stream dataSet, string? moveOriginatorAe, ushort? moveOriginatorId, CancellationToken ct) =>
        StoreAsync(channel, sopClassUid, sopInstanceUid, (c, token) => channel.SendAsync(contextId, c, default, dataSet, token),
            moveOriginatorAe, moveOriginatorId, ct);

    /// <summary>One C-STORE exchange: the request built here, sent with its data set by <paramref name="send"/>, then its response.</summary>
    private static async Task<DimseResult> StoreAsync(DimseChannel channel, string sopClassUid, string sopInstanceUid,
        Func<DimseCommand, CancellationToken, Task> send, string? moveOriginatorAe, ushort? moveOriginatorId, CancellationToken ct)
    {
        var id = channel.NextMessageId();
        var command = DimseMessages.Request(CommandField.CStoreRequest, id, sopClassUid);
        command.SetString(DimseCommand.AffectedSopInstanceUid, sopInstanceUid);
        if (moveOriginatorAe is not null)
        {
            command.SetString(DimseCommand.MoveOriginatorAe, moveOriginatorAe);
            command.SetUShort(DimseCommand.MoveOriginatorMessageId, moveOriginatorId ?? 0);
        }
        var responses = channel.ExpectResponses(id);
        try
        {
            await send(command, ct).ConfigureAwait(false);
            var response = await responses.ReadAsync(ct).ConfigureAwait(false);
            var comment = response.Command.GetString(DimseCommand.ErrorComment);
            return new DimseResult(response.Command.StatusValue, comment.Length == 0 ? null : comment);
        }
        finally
        {
            channel.ForgetResponses(id);
        }
    }
}
