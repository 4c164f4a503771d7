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
        var context = SelectContext(contexts, source.SopClassUid, source.TransferSyntaxUid, requirePeerScpRole);
        var transcode = false;
        if (context is null && IsUncompressedLittleEndian(source.TransferSyntaxUid))
        {
            // Implicit <-> Explicit VR Little Endian re-encoding needs no codec: accept the other one too.
            var other = source.TransferSyntaxUid == DicomUids.ImplicitVRLittleEndian ? DicomUids.ExplicitVRLittleEndian : DicomUids.ImplicitVRLittleEndian;
            context = SelectContext(contexts, source.SopClassUid, other, requirePeerScpRole);
            transcode = context is not null;
        }
        if (context is null)
            return PreparedInstance.Refused(source, new DimseResult(NotSendable, $"peer accepted no context for {source.SopClassUid} in {source.TransferSyntaxUid}"));
        var file = await source.OpenAsync(ct).ConfigureAwait(false);
        try
        {
            if (transcode)
            {
                // Rare path (peer refuses the stored syntax): the dataset is decoded and re-encoded in memory.
                var decoded = await DicomFileReader.ReadAsync(file, cancellationToken: ct).ConfigureAwait(false);
                var encoded = DicomDatasetWriter.Write(decoded.Dataset, DicomTransferSyntax.Lookup(context.TransferSyntax));
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
    public static Task<DimseResult> SendPreparedAsync(DimseChannel channel, PreparedInstance prepared, string? moveOriginatorAe, ushort? moveOriginatorId,
        CancellationToken ct) =>
        prepared.Refusal is { } refusal
            ? Task.FromResult(refusal)
            : StoreAsync(channel, prepared.Context!.Id, prepared.Source.SopClassUid, prepared.Source.SopInstanceUid, prepared.DataSet!,
                moveOriginatorAe, moveOriginatorId, ct);

    /// <summary>Implicit or Explicit VR Little Endian: re-encodable into each other without a codec.</summary>
    public static bool IsUncompressedLittleEndian(string transferSyntaxUid) =>
        transferSyntaxUid is DicomUids.ImplicitVRLittleEndian or DicomUids.ExplicitVRLittleEndian;

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
    public static async Task<DimseResult> StoreAsync(DimseChannel channel, byte contextId, string sopClassUid, string sopInstanceUid,
        Stream dataSet, string? moveOriginatorAe, ushort? moveOriginatorId, CancellationToken ct)
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
            await channel.SendAsync(contextId, command, default, dataSet, ct).ConfigureAwait(false);
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
