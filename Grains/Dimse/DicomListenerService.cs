using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Network;

namespace Mirc.Grains.Dimse;

/// <summary>Runs the DICOM listener for the life of the host (started after the silo, stopped before it).</summary>
public sealed partial class DicomListenerService(
    ArchiveDicomService handler,
    IOptions<DicomListenerOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<DicomListenerService> logger) : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;

    /// <summary>Bound endpoint once started.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

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
        _server.Start(new IPEndPoint(IPAddress.Parse(o.BindAddress), o.Port));
        LogListening(o.AeTitle, _server.LocalEndPoint);
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
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on {EndPoint}")]
    private partial void LogListening(string aeTitle, IPEndPoint endPoint);
}
