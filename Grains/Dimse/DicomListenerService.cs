using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Network;

namespace Mirc.Grains.Dimse;

/// <summary>
/// Runs the DICOM listener for the life of the host (started after the silo, stopped before it): the plain port and,
/// when <c>Mirc:Dicom:Tls:Port</c> is set, the TLS port — one server, so both share the association limits.
/// </summary>
public sealed partial class DicomListenerService(
    ArchiveDicomService handler,
    IOptions<DicomListenerOptions> options,
    IOptions<DicomTlsOptions> tlsOptions,
    TimeProvider clock,
    ILoggerFactory loggerFactory,
    ILogger<DicomListenerService> logger) : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;
    private DicomTlsCredentials? _credentials;

    /// <summary>Bound endpoint once started.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    /// <summary>Bound TLS endpoint once started; null without a TLS port.</summary>
    public IPEndPoint? TlsEndPoint { get; private set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return Task.CompletedTask;
        }

        _server = new DicomServer(handler, new DicomServerOptions
        {
            MoveCallingAe = o.AeTitle, MaxAssociations = o.MaxAssociations, MaxAssociationsPerCallingAe = o.MaxAssociationsPerCallingAe,
            MaxConnectionsPerAddress = o.MaxConnectionsPerAddress, AssociateRequestTimeout = o.AssociateRequestTimeout, IdleTimeout = o.IdleTimeout,
        }, loggerFactory);
        var address = IPAddress.Parse(o.BindAddress);
        _server.Start(new IPEndPoint(address, o.Port));
        LogListening(o.AeTitle, _server.LocalEndPoint);
        var tls = tlsOptions.Value;
        if (tls.Port is { } tlsPort)
        {
            // Validated at start-up already; read again here so the listener holds its own copy of the key.
            _credentials = DicomTlsCredentials.Load(tls, clock);
            TlsEndPoint = _server.Start(new IPEndPoint(address, tlsPort), _credentials.ServerOptions(tls.ClientCertificateMode));
            LogListeningTls(o.AeTitle, TlsEndPoint, tls.ClientCertificateMode, _credentials.Certificate.Subject, _credentials.Certificate.NotAfter);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync(cancellationToken);
            await server.DisposeAsync();
        }

        Interlocked.Exchange(ref _credentials, null)?.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync();
        }

        Interlocked.Exchange(ref _credentials, null)?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on {EndPoint}")]
    private partial void LogListening(string aeTitle, IPEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DICOM TLS listener {AeTitle} on {EndPoint} (client certificates: {ClientCertificateMode}; server certificate {Subject}, valid until {NotAfter:u})")]
    private partial void LogListeningTls(string aeTitle, IPEndPoint endPoint, TlsClientCertificateMode clientCertificateMode, string subject, DateTime notAfter);
}
