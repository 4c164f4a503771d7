using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Dicom.Network.Dimse;
using Mirc.Dicom.Network.Upper;

namespace Mirc.Dicom.Network;

/// <summary>
/// DICOM DIMSE server (association acceptor): accept loop, one task per association, graceful stop. Admission is bounded
/// so that idle or hostile connections cannot starve devices: connections per source address, a short wait for the
/// A-ASSOCIATE-RQ, associations in total and per calling AE title (see <see cref="DicomServerOptions"/>).
/// Services are delegated to an <see cref="IDicomServiceHandler"/>. One server may listen on several endpoints, plain
/// TCP or TLS (PS3.15 Annex B), sharing the same admission limits and the same association code.
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    private const uint MaxAssociateRequestLength = 1024 * 1024;
    private readonly IDicomServiceHandler _handler;
    private readonly DicomServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _associations = [];
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly AdmissionCounters _admission;

    /// <summary>Creates a server; call <see cref="Start"/> to listen.</summary>
    public DicomServer(IDicomServiceHandler handler, DicomServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _handler = handler;
        _options = options ?? new DicomServerOptions();
        _options.Validate();
        _admission = new AdmissionCounters(_options);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<DicomServer>();
    }

    /// <summary>Endpoint bound by the first <see cref="Start"/> (with the actual port when started on port 0).</summary>
    public IPEndPoint LocalEndPoint
    {
        get
        {
            lock (_gate) return _listeners.Count > 0 ? (IPEndPoint)_listeners[0].LocalEndPoint! : throw new InvalidOperationException("server not started");
        }
    }

    /// <summary>Associations currently open.</summary>
    public int ActiveAssociations => _admission.Associations;

    /// <summary>
    /// Binds <paramref name="endPoint"/> and starts accepting connections on it; call again for another endpoint.
    /// With <paramref name="tls"/>, every connection first completes a TLS handshake with these options (within
    /// <see cref="DicomServerOptions.AssociateRequestTimeout"/>, together with the A-ASSOCIATE-RQ) and the association
    /// request carries the session (<see cref="AssociationRequest.Tls"/>). Returns the bound endpoint.
    /// </summary>
    public IPEndPoint Start(IPEndPoint endPoint, SslServerAuthenticationOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (_stopping.IsCancellationRequested) throw new InvalidOperationException("server stopped");
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        NetworkLog.Listening(_logger, listener.LocalEndPoint!);
        lock (_gate)
        {
            _listeners.Add(listener);
            _acceptLoops.Add(AcceptLoopAsync(listener, tls, _stopping.Token));
        }
        return (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>
    /// Stops accepting, lets open associations finish for <see cref="DicomServerOptions.StopGracePeriod"/> (or until
    /// <paramref name="ct"/> is cancelled), then aborts the remaining ones.
    /// </summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        Socket[] listeners;
        Task[] loops;
        lock (_gate)
        {
            listeners = [.. _listeners];
            loops = [.. _acceptLoops];
        }
        if (listeners.Length == 0) return;
        foreach (var listener in listeners) listener.Dispose();
        await Task.WhenAll(loops).ConfigureAwait(false);
        Task[] running;
        lock (_gate) running = [.. _associations];
        try
        {
            await Task.WhenAll(running).WaitAsync(_options.StopGracePeriod, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // grace period over: abort what is left
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        lock (_gate) running = [.. _associations];
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(Socket listener, SslServerAuthenticationOptions? tls, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset before accept completed: keep serving
            }
            if (socket.RemoteEndPoint is not IPEndPoint remote || !_admission.TryEnterConnection(remote.Address))
            {
                // Over the per-address cap: close before reading anything, the cheapest answer to a flood.
                NetworkLog.ConnectionRefused(_logger, socket.RemoteEndPoint?.ToString() ?? "?");
                DimseMetrics.ConnectionRefused();
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            var task = ServeAsync(socket, remote, tls, ct);
            lock (_gate) _associations.Add(task);
            _ = task.ContinueWith(t => { lock (_gate) _associations.Remove(t); }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket, IPEndPoint remote, SslServerAuthenticationOptions? tls, CancellationToken ct)
    {
        await Task.Yield(); // never run an association on the accept loop
        string? admittedAe = null;
        DimseMetrics.ConnectionOpened();
        Stream stream = new ImmediateAckNetworkStream(socket);
        PipeReader? reader = null;
        PduFramer? framer = null;
        DimseChannel? channel = null;
        try
        {
            // ARTIM (PS3.8 §9.2): the TLS handshake and the A-ASSOCIATE-RQ share one short deadline, so a connection that
            // stalls in either is dropped before idle connections can pile up.
            using var artim = CancellationTokenSource.CreateLinkedTokenSource(ct);
            artim.CancelAfter(_options.AssociateRequestTimeout);
            TlsSession? session = null;
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                session = await HandshakeAsync(ssl, tls, remote, artim.Token, ct).ConfigureAwait(false);
                if (session is null) return;
            }
            reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024, leaveOpen: true));
            framer = new PduFramer(reader);
            var request = await ReceiveAssociateRequestAsync(framer, stream, remote, session, artim.Token, ct).ConfigureAwait(false);
            if (request is null) return;
            var name = $"{request.CallingAe}->{request.CalledAe}@{remote}{(session is null ? "" : " (TLS)")}";

            // Full before asking the application: reject cheaply. The slot itself is taken only once the application
            // accepted, so an AE title claimed by someone the application refuses never uses the device's slots.
            var decision = _admission.Associations >= _options.MaxAssociations
                ? AssociationDecision.Reject(AssociationRejection.LocalLimitExceeded)
                : await _handler.OnAssociationRequestAsync(request, ct).ConfigureAwait(false);
            if (decision.Rejection is null)
            {
                if (_admission.TryEnterAssociation(request.CallingAe)) admittedAe = request.CallingAe;
                else decision = AssociationDecision.Reject(AssociationRejection.LocalLimitExceeded);
            }
            if (decision.Rejection is { } rejection)
            {
                NetworkLog.AssociationRejected(_logger, name, rejection);
                DimseMetrics.Rejected(rejection);
                await stream.WriteAsync(AssociatePduCodec.EncodeReject(rejection), ct).ConfigureAwait(false);
                return;
            }

            var contexts = request.PresentationContexts.Select(decision.Policy!.Negotiate).ToList();
            var accept = new AssociationAccept
            {
                CalledAe = request.CalledAe, CallingAe = request.CallingAe, PresentationContexts = contexts,
                MaxPduLength = _options.MaxPduLength,
                UserIdentityServerResponse = request.UserIdentity is { PositiveResponseRequested: true }
                    ? decision.UserIdentityServerResponse ?? [] : null,
            };
            await stream.WriteAsync(AssociatePduCodec.EncodeAccept(accept, request.PresentationContexts), ct).ConfigureAwait(false);
            NetworkLog.AssociationAccepted(_logger, name, contexts.Count(c => c.IsAccepted), contexts.Count);
            DimseMetrics.Accepted();

            var context = new DicomServiceContext
            {
                CallingAe = request.CallingAe, CalledAe = request.CalledAe, RemoteEndPoint = remote,
                UserIdentity = request.UserIdentity, ApplicationState = decision.ApplicationState, PresentationContexts = contexts,
                Tls = session,
            };
            channel = new DimseChannel(socket, stream, reader, framer, request.MaxPduLength, contexts, _options, _logger, name)
            {
                Processor = new DimseServiceDispatcher(_handler, context, _options, _loggerFactory),
            };
            await channel.RunAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomProtocolException or IOException or SocketException or OperationCanceledException)
        {
            NetworkLog.ConnectionFailed(_logger, remote.ToString(), ex.Message, ex is DicomProtocolException ? null : ex);
            await TryAbortAsync(stream).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            NetworkLog.ConnectionFailed(_logger, remote.ToString(), "association handler failed", ex);
            await TryAbortAsync(stream).ConfigureAwait(false);
        }
        finally
        {
            if (channel is not null) await channel.DisposeAsync().ConfigureAwait(false);
            else
            {
                framer?.ReleasePrevious();
                if (reader is not null) await reader.CompleteAsync().ConfigureAwait(false);
                socket.Dispose();
            }
            await stream.DisposeAsync().ConfigureAwait(false);
            if (admittedAe is not null) _admission.LeaveAssociation(admittedAe);
            _admission.LeaveConnection(remote.Address);
            DimseMetrics.ConnectionClosed();
        }
    }

    /// <summary>
    /// The server side of the TLS handshake; null when it failed (wrong protocol version, no acceptable cipher suite, a
    /// client certificate missing or refused by the validation callback, ARTIM expired): the connection is then closed
    /// without a DICOM answer, as TLS itself has already told the peer.
    /// </summary>
    private async Task<TlsSession?> HandshakeAsync(SslStream ssl, SslServerAuthenticationOptions tls, IPEndPoint remote,
        CancellationToken artim, CancellationToken ct)
    {
        try
        {
            await ssl.AuthenticateAsServerAsync(tls, artim).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            NetworkLog.AssociateRequestTimedOut(_logger, remote.ToString());
            DimseMetrics.TlsHandshakeFailed();
            await ReportHandshakeFailureAsync(remote, $"no TLS handshake within {_options.AssociateRequestTimeout.TotalSeconds:0.#} s", ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            var reason = HandshakeFailureReason(ex);
            NetworkLog.TlsHandshakeFailed(_logger, remote.ToString(), reason);
            DimseMetrics.TlsHandshakeFailed();
            await ReportHandshakeFailureAsync(remote, reason, ct).ConfigureAwait(false);
            return null;
        }
        var certificate = ssl.RemoteCertificate as X509Certificate2
            ?? (ssl.RemoteCertificate is { } other ? X509CertificateLoader.LoadCertificate(other.GetRawCertData()) : null);
        return new TlsSession(ssl.SslProtocol, ssl.NegotiatedCipherSuite, certificate);
    }

    // SslStream wraps the TLS library's error in a generic one; both say something the operator can act on.
    private static string HandshakeFailureReason(Exception ex) =>
        ex.InnerException is { } inner && inner.Message != ex.Message ? $"{ex.Message} ({inner.Message})" : ex.Message;

    private async Task ReportHandshakeFailureAsync(IPEndPoint remote, string reason, CancellationToken ct)
    {
        try
        {
            await _handler.OnTlsHandshakeFailedAsync(remote, reason, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            NetworkLog.ConnectionFailed(_logger, remote.ToString(), "TLS handshake failure report failed", ex);
        }
    }

    /// <summary>Waits (ARTIM, <see cref="DicomServerOptions.AssociateRequestTimeout"/>) for the A-ASSOCIATE-RQ; null when the peer went away first.</summary>
    private async Task<AssociationRequest?> ReceiveAssociateRequestAsync(PduFramer framer, Stream stream, EndPoint? remote, TlsSession? tls,
        CancellationToken artim, CancellationToken ct)
    {
        RawPdu? maybe;
        try
        {
            maybe = await framer.ReadAsync(MaxAssociateRequestLength, artim).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // ARTIM expired: close the transport (PS3.8 §9.2). Debug only: a flood of idle connections must not flood the log.
            NetworkLog.AssociateRequestTimedOut(_logger, remote?.ToString() ?? "?");
            return null;
        }
        if (maybe is not { } pdu) return null;
        if (pdu.Type != PduType.AssociateRequest) throw new DicomProtocolException($"expected A-ASSOCIATE-RQ, received {pdu.Type}");
        var body = pdu.ToArray();
        framer.ReleasePrevious();
        if (body.Length >= 2 && (body[1] & 1) == 0)
        {
            await stream.WriteAsync(AssociatePduCodec.EncodeReject(AssociationRejection.ProtocolVersionNotSupported), ct).ConfigureAwait(false);
            return null;
        }
        return AssociatePduCodec.DecodeRequest(body, remote, tls);
    }

    private static async Task TryAbortAsync(Stream stream)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await stream.WriteAsync(AssociatePduCodec.EncodeAbort(2, 0), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException or AuthenticationException)
        {
            // peer already gone, or a TLS stream that never completed its handshake
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
