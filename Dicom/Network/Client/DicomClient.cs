using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Dicom.Network.Dimse;
using Mirc.Dicom.Network.Upper;

namespace Mirc.Dicom.Network;

/// <summary>
/// DICOM SCU: one association with a remote AE. Operations run one at a time (no asynchronous operations window).
/// Create with <see cref="ConnectAsync"/>, end with <see cref="ReleaseAsync"/> (or dispose, which aborts).
/// </summary>
public sealed class DicomClient : IAsyncDisposable
{
    private const uint MaxAssociateResponseLength = 1024 * 1024;
    private readonly DimseChannel _channel;
    private readonly Task<AssociationEnd> _loop;
    private readonly SemaphoreSlim _operation = new(1, 1);
    private bool _released;

    private DicomClient(DimseChannel channel, AssociationAccept accept)
    {
        _channel = channel;
        Accept = accept;
        _channel.Processor = new ClientStoreProcessor();
        _loop = _channel.RunAsync(CancellationToken.None);
    }

    /// <summary>The acceptor's answer (negotiated contexts, its max PDU, implementation, user identity response).</summary>
    public AssociationAccept Accept { get; }

    /// <summary>Negotiated presentation contexts.</summary>
    public IReadOnlyList<NegotiatedPresentationContext> PresentationContexts => Accept.PresentationContexts;

    /// <summary>
    /// Opens a TCP connection — a TLS one when <see cref="DicomClientOptions.Tls"/> is set — and negotiates an association
    /// (ids of <paramref name="contexts"/> are reassigned 1, 3, 5…).
    /// </summary>
    /// <exception cref="DicomAssociationException">The peer rejected or aborted the association.</exception>
    public static async Task<DicomClient> ConnectAsync(string host, int port, string callingAe, string calledAe,
        IEnumerable<PresentationContextProposal> contexts, DicomClientOptions? options = null, ILoggerFactory? loggerFactory = null,
        CancellationToken ct = default)
    {
        options ??= new DicomClientOptions();
        options.Validate();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomClient>();
        var proposals = contexts.Select((c, i) => c with { Id = (byte)(2 * i + 1) }).ToList();
        if (proposals.Count is 0 or > 128) throw new ArgumentException("between 1 and 128 presentation contexts expected", nameof(contexts));

        var socket = options.LocalAddress is { } local
            ? new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        PipeReader? reader = null;
        try
        {
            if (options.LocalAddress is { } source) socket.Bind(new System.Net.IPEndPoint(source, 0));
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connect.CancelAfter(options.ConnectTimeout);
                await socket.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
            }
            stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                handshake.CancelAfter(options.ConnectTimeout);
                await ssl.AuthenticateAsClientAsync(WithTargetHost(tls, host), handshake.Token).ConfigureAwait(false);
            }
            reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024, leaveOpen: true));
            var framer = new PduFramer(reader);
            var request = new AssociationRequest
            {
                CallingAe = callingAe, CalledAe = calledAe, PresentationContexts = proposals, MaxPduLength = options.MaxPduLength,
                UserIdentity = options.UserIdentity,
            };
            await stream.WriteAsync(AssociatePduCodec.EncodeRequest(request, options.MaxPduLength, options.UserIdentity), ct).ConfigureAwait(false);

            using var artim = CancellationTokenSource.CreateLinkedTokenSource(ct);
            artim.CancelAfter(options.ArtimTimeout);
            var pdu = await framer.ReadAsync(MaxAssociateResponseLength, artim.Token).ConfigureAwait(false)
                ?? throw new DicomAssociationException("connection closed during association negotiation");
            var body = pdu.ToArray();
            framer.ReleasePrevious();
            switch (pdu.Type)
            {
                case PduType.AssociateAccept:
                    var accept = AssociatePduCodec.DecodeAccept(body, request);
                    var name = $"{callingAe}->{calledAe}@{host}:{port}";
                    var channel = new DimseChannel(socket, stream, reader, framer, accept.MaxPduLength, accept.PresentationContexts, options, logger, name);
                    return new DicomClient(channel, accept);
                case PduType.AssociateReject:
                    var rejection = AssociatePduCodec.DecodeReject(body);
                    throw new DicomAssociationException($"association rejected: {rejection}") { Rejection = rejection };
                case PduType.Abort:
                    throw new DicomAssociationException("association aborted by the peer during negotiation");
                default:
                    throw new DicomProtocolException($"unexpected {pdu.Type} during association negotiation");
            }
        }
        catch
        {
            if (reader is not null) await reader.CompleteAsync().ConfigureAwait(false);
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    // The server name to verify defaults to the host connected to; the caller's options object is left untouched.
    private static SslClientAuthenticationOptions WithTargetHost(SslClientAuthenticationOptions tls, string host) =>
        !string.IsNullOrEmpty(tls.TargetHost) ? tls : new SslClientAuthenticationOptions
        {
            TargetHost = host, ClientCertificates = tls.ClientCertificates, ClientCertificateContext = tls.ClientCertificateContext,
            EnabledSslProtocols = tls.EnabledSslProtocols, CipherSuitesPolicy = tls.CipherSuitesPolicy,
            RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
            CertificateChainPolicy = tls.CertificateChainPolicy, CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
            EncryptionPolicy = tls.EncryptionPolicy, LocalCertificateSelectionCallback = tls.LocalCertificateSelectionCallback,
        };

    /// <summary>
    /// Proposals to send known instances (C-MOVE, push): one context per distinct (SOP class, stored transfer syntax),
    /// plus, for every SOP class, one offering Explicit and Implicit VR Little Endian so that a peer refusing the stored
    /// syntax still gets the instance, decoded. At most 128 contexts; the uncompressed ones are never the ones left out.
    /// </summary>
    public static IReadOnlyList<PresentationContextProposal> ProposalsFor(IEnumerable<(string SopClassUid, string TransferSyntaxUid)> instances)
    {
        var distinct = instances.Distinct().ToList();
        var proposals = distinct.Select(p => new PresentationContextProposal(0, p.SopClassUid, [p.TransferSyntaxUid])).ToList();
        // Each SOP class also gets an uncompressed context: whatever the peer refuses of the stored syntaxes is decoded for it.
        var fallbacks = distinct.Where(p => PixelData.DicomTranscoder.CanDecode(p.TransferSyntaxUid)).Select(p => p.SopClassUid).Distinct()
            .Select(sop => new PresentationContextProposal(0, sop, [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]))
            .ToList();
        return proposals.Take(Math.Max(0, 128 - fallbacks.Count)).Concat(fallbacks).Take(128).ToList();
    }

    /// <summary>Transfer syntax accepted for <paramref name="sopClassUid"/>, or null when no context was accepted.</summary>
    public string? TransferSyntaxFor(string sopClassUid) =>
        Accept.PresentationContexts.FirstOrDefault(c => c.IsAccepted && c.AbstractSyntax == sopClassUid)?.TransferSyntax;

    /// <summary>C-ECHO.</summary>
    public async Task<DimseResult> EchoAsync(CancellationToken ct = default)
    {
        var context = RequireContext(DicomUids.Verification);
        var responses = await RequestAsync(CommandField.CEchoRequest, context, DicomUids.Verification, null, default, ct).ConfigureAwait(false);
        return responses.Result;
    }

    /// <summary>C-STORE of a Part 10 file.</summary>
    public async Task<DimseResult> StoreAsync(string path, CancellationToken ct = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false)) return await StoreAsync(file, ct).ConfigureAwait(false);
    }

    /// <summary>C-STORE of a Part 10 stream: its File Meta is read and skipped, the dataset is streamed.</summary>
    public async Task<DimseResult> StoreAsync(Stream part10, CancellationToken ct = default)
    {
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var (meta, dataSet) = await FileMetaReader.ReadAsync(part10, ct).ConfigureAwait(false);
            var context = InstanceSender.SelectContext(PresentationContexts, meta.SopClassUid, meta.TransferSyntaxUid, requirePeerScpRole: false)
                ?? throw new InvalidOperationException($"no accepted presentation context for {meta.SopClassUid} in {meta.TransferSyntaxUid}");
            return await InstanceSender.StoreAsync(_channel, context.Id, meta.SopClassUid, meta.SopInstanceUid, dataSet, null, null, ct)
                .ConfigureAwait(false);
        }
        finally { _operation.Release(); }
    }

    /// <summary>C-STORE of a stored instance (push, C-MOVE sub-operation); a missing context gives status 0122 without sending.</summary>
    public async Task<DimseResult> StoreAsync(DicomInstanceSource source, string? moveOriginatorAe = null, ushort? moveOriginatorMessageId = null,
        CancellationToken ct = default)
    {
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await InstanceSender.SendAsync(_channel, source, requirePeerScpRole: false, moveOriginatorAe, moveOriginatorMessageId, ct)
                .ConfigureAwait(false);
        }
        finally { _operation.Release(); }
    }

    /// <summary>Reads a prepared instance's data set into its PDUs for this association, ahead of <see cref="StorePreparedAsync"/>.</summary>
    internal Task<FramedDataSet?> FrameAsync(PreparedInstance prepared) => prepared.FrameAsync(_channel, _channel.Lifetime);

    /// <summary>C-STORE of an instance prepared ahead (C-MOVE sub-operations with prefetch).</summary>
    internal async Task<DimseResult> StorePreparedAsync(PreparedInstance prepared, string? moveOriginatorAe, ushort? moveOriginatorMessageId,
        CancellationToken ct)
    {
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await InstanceSender.SendPreparedAsync(_channel, prepared, moveOriginatorAe, moveOriginatorMessageId, ct).ConfigureAwait(false);
        }
        finally { _operation.Release(); }
    }

    /// <summary>
    /// C-FIND: yields each pending response's identifier. Cancelling <paramref name="ct"/> sends C-CANCEL and ends the
    /// enumeration once the peer answered.
    /// </summary>
    public async IAsyncEnumerable<DicomDataset> FindAsync(string sopClassUid, DicomDataset query,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var context = RequireContext(sopClassUid);
        var syntax = DicomTransferSyntax.Lookup(context.TransferSyntax);
        var identifier = DicomDatasetWriter.Write(query, syntax);
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var id = _channel.NextMessageId();
            var responses = _channel.ExpectResponses(id);
            try
            {
                var command = DimseMessages.Request(CommandField.CFindRequest, id, sopClassUid);
                await _channel.SendAsync(context.Id, command, identifier, null, ct).ConfigureAwait(false);
                var pending = new CancellableResponses(this, context.Id, id, responses);
                while (true)
                {
                    var response = await pending.NextAsync(ct).ConfigureAwait(false);
                    if (!DimseStatus.IsPending(response.Command.StatusValue))
                    {
                        var status = response.Command.StatusValue;
                        if (status != DimseStatus.Success && status != DimseStatus.Cancel)
                            throw new DimseServiceException(status, $"C-FIND failed: 0x{status:X4} {response.Command.GetString(DimseCommand.ErrorComment)}");
                        yield break;
                    }
                    if (!pending.CancelSent) yield return DicomDatasetReader.Read(response.DataSet, syntax);
                }
            }
            finally { _channel.ForgetResponses(id); }
        }
        finally { _operation.Release(); }
    }

    /// <summary>C-MOVE to <paramref name="destinationAe"/>; <paramref name="progress"/> sees every pending response.</summary>
    public Task<DicomRetrieveResult> MoveAsync(string sopClassUid, string destinationAe, DicomDataset identifier,
        IProgress<DicomRetrieveResult>? progress = null, CancellationToken ct = default) =>
        RetrieveAsync(CommandField.CMoveRequest, sopClassUid, destinationAe, identifier, null, progress, ct);

    /// <summary>
    /// C-GET: instances come back as C-STORE-RQ on this association and are handed to <paramref name="onStore"/>
    /// (streamed; return the status once stored). Storage contexts must have been proposed with the SCP role.
    /// </summary>
    public Task<DicomRetrieveResult> GetAsync(string sopClassUid, DicomDataset identifier,
        Func<CStoreRequest, Stream, CancellationToken, ValueTask<DimseResult>> onStore, IProgress<DicomRetrieveResult>? progress = null,
        CancellationToken ct = default) =>
        RetrieveAsync(CommandField.CGetRequest, sopClassUid, null, identifier, onStore, progress, ct);

    private async Task<DicomRetrieveResult> RetrieveAsync(CommandField field, string sopClassUid, string? destination, DicomDataset query,
        Func<CStoreRequest, Stream, CancellationToken, ValueTask<DimseResult>>? onStore, IProgress<DicomRetrieveResult>? progress, CancellationToken ct)
    {
        var context = RequireContext(sopClassUid);
        var identifier = DicomDatasetWriter.Write(query, DicomTransferSyntax.Lookup(context.TransferSyntax));
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        var processor = (ClientStoreProcessor)_channel.Processor!;
        processor.OnStore = onStore;
        try
        {
            var id = _channel.NextMessageId();
            var responses = _channel.ExpectResponses(id);
            try
            {
                var command = DimseMessages.Request(field, id, sopClassUid);
                if (destination is not null) command.SetString(DimseCommand.MoveDestination, destination);
                await _channel.SendAsync(context.Id, command, identifier, null, ct).ConfigureAwait(false);
                var pending = new CancellableResponses(this, context.Id, id, responses);
                while (true)
                {
                    var response = await pending.NextAsync(ct).ConfigureAwait(false);
                    var c = response.Command;
                    var failedUids = response.DataSet.IsEmpty ? [] : FailedInstancesIdentifier.Decode(response.DataSet.Span, context.TransferSyntax);
                    var result = new DicomRetrieveResult(c.StatusValue, c.GetUShort(DimseCommand.CompletedSuboperations),
                        c.GetUShort(DimseCommand.FailedSuboperations), c.GetUShort(DimseCommand.WarningSuboperations), failedUids);
                    if (!DimseStatus.IsPending(c.StatusValue)) return result;
                    progress?.Report(result);
                }
            }
            finally { _channel.ForgetResponses(id); }
        }
        finally
        {
            processor.OnStore = null;
            _operation.Release();
        }
    }

    private async Task<(DimseResult Result, IncomingResponse Response)> RequestAsync(CommandField field, NegotiatedPresentationContext context,
        string sopClassUid, Action<DimseCommand>? fill, ReadOnlyMemory<byte> dataSet, CancellationToken ct)
    {
        await _operation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var id = _channel.NextMessageId();
            var responses = _channel.ExpectResponses(id);
            try
            {
                var command = DimseMessages.Request(field, id, sopClassUid);
                fill?.Invoke(command);
                await _channel.SendAsync(context.Id, command, dataSet, null, ct).ConfigureAwait(false);
                var response = await responses.ReadAsync(ct).ConfigureAwait(false);
                var comment = response.Command.GetString(DimseCommand.ErrorComment);
                return (new DimseResult(response.Command.StatusValue, comment.Length == 0 ? null : comment), response);
            }
            finally { _channel.ForgetResponses(id); }
        }
        finally { _operation.Release(); }
    }

    /// <summary>
    /// The responses to one C-FIND / C-GET / C-MOVE request: the caller's first cancellation sends one C-CANCEL, then the
    /// responses are read on (without the caller's token) until the final one.
    /// </summary>
    private sealed class CancellableResponses(DicomClient client, byte contextId, ushort messageId, ChannelReader<IncomingResponse> responses)
    {
        public bool CancelSent { get; private set; }

        public async ValueTask<IncomingResponse> NextAsync(CancellationToken ct)
        {
            while (true)
            {
                try
                {
                    return await responses.ReadAsync(CancelSent ? CancellationToken.None : ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!CancelSent)
                {
                    await client.SendCancelAsync(contextId, messageId).ConfigureAwait(false);
                    CancelSent = true;
                }
            }
        }
    }

    private Task SendCancelAsync(byte contextId, ushort messageId)
    {
        var cancel = new DimseCommand { Field = CommandField.CCancelRequest };
        cancel.SetUShort(DimseCommand.MessageIdBeingRespondedTo, messageId);
        return _channel.SendAsync(contextId, cancel, default, null, _channel.Lifetime);
    }

    private NegotiatedPresentationContext RequireContext(string sopClassUid) =>
        PresentationContexts.FirstOrDefault(c => c.IsAccepted && c.AbstractSyntax == sopClassUid)
        ?? throw new InvalidOperationException($"the peer accepted no presentation context for {sopClassUid}");

    /// <summary>A-RELEASE-RQ / RP, then closes the connection.</summary>
    public async Task ReleaseAsync(CancellationToken ct = default)
    {
        await _channel.ReleaseAsync(ct).ConfigureAwait(false);
        _released = true;
        await _loop.ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A-ABORT and close.</summary>
    public async Task AbortAsync()
    {
        await _channel.AbortAsync("aborted by the local application").ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    /// <summary>Aborts the association unless it was released.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_released && !_loop.IsCompleted) await _channel.AbortAsync("client disposed without release").ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        _operation.Dispose();
    }

    /// <summary>Answers C-STORE-RQ sent by the peer (C-GET sub-operations) through the current GET's callback.</summary>
    private sealed class ClientStoreProcessor : IDimseRequestProcessor
    {
        public Func<CStoreRequest, Stream, CancellationToken, ValueTask<DimseResult>>? OnStore { get; set; }

        public async Task ProcessAsync(DimseChannel channel, IncomingRequest request, CancellationToken cancel)
        {
            DimseResult result;
            var onStore = OnStore;
            if (request.Command.Field != CommandField.CStoreRequest || onStore is null || request.DataSetStream is null)
            {
                result = new DimseResult(request.Command.Field == CommandField.CStoreRequest ? DimseStatus.SopClassNotSupported : DimseStatus.UnrecognizedOperation);
            }
            else
            {
                var store = new CStoreRequest
                {
                    SopClassUid = request.Command.GetString(DimseCommand.AffectedSopClassUid),
                    SopInstanceUid = request.Command.GetString(DimseCommand.AffectedSopInstanceUid),
                    TransferSyntaxUid = request.Context.TransferSyntax,
                    MessageId = request.Command.MessageIdValue,
                };
                try
                {
                    result = await onStore(store, request.DataSetStream!, cancel).ConfigureAwait(false);
                }
                catch (DimseServiceException ex)
                {
                    result = new DimseResult(ex.Status, ex.Message);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    result = new DimseResult(DimseStatus.ProcessingFailure, ex.Message);
                }
            }
            if (request.DataSetStream is { } stream) await stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                await request.DataSetReceived.ConfigureAwait(false);
            }
            catch (Exception)
            {
                return;
            }
            await channel.SendAsync(request.Context.Id, DimseMessages.ResponseTo(request.Command, result), default, null, channel.Lifetime)
                .ConfigureAwait(false);
        }
    }
}
