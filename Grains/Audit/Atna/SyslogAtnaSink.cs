using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Atna;

/// <summary>
/// Sends ATNA messages to a syslog collector over UDP or TCP; a no-op when no host is configured. Events are queued
/// (bounded, oldest dropped when the collector lags) and sent by one background loop, so a slow or unreachable
/// collector never delays audit commits. The hash-chained trail stays the record of truth.
/// </summary>
public sealed partial class SyslogAtnaSink : IAtnaSink, IAsyncDisposable
{
    private const int QueueCapacity = 10_000;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);
    private readonly SyslogOptions _options;
    private readonly ILogger<SyslogAtnaSink> _logger;
    private readonly string _hostName = System.Net.Dns.GetHostName();
    private readonly System.Threading.Channels.Channel<AuditEvent> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private UdpClient? _udp;
    private TcpClient? _tcp;
    private NetworkStream? _tcpStream;

    /// <summary>Creates the sink (and its send loop when enabled).</summary>
    public SyslogAtnaSink(IOptions<AuditOptions> options, ILogger<SyslogAtnaSink> logger)
    {
        _options = options.Value.Syslog;
        _logger = logger;
        _queue = System.Threading.Channels.Channel.CreateBounded<AuditEvent>(new System.Threading.Channels.BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
        });
        _loop = _options.IsEnabled ? Task.Run(() => SendLoopAsync(_stopping.Token)) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        if (_options.IsEnabled)
        {
            foreach (var e in events)
            {
                _queue.Writer.TryWrite(e);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            // Give queued messages a moment to leave, then stop.
            await _loop.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
        _udp?.Dispose();
        ResetTcp();
    }

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var e in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(SendTimeout);
            try
            {
                var payload = AtnaMessageFormatter.Format(e, _options.AppName, _options.EnterpriseSiteId);
                var message = SyslogFrame.Build(e, _hostName, _options.AppName, payload);
                if (_options.Transport == SyslogTransport.Udp)
                {
                    _udp ??= new UdpClient();
                    await _udp.SendAsync(message, _options.Host!, _options.Port, timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    var stream = await TcpStreamAsync(timeout.Token).ConfigureAwait(false);
                    await stream.WriteAsync(SyslogFrame.OctetCounted(message), timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested
                && ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                LogSendFailed(_logger, _options.Host!, _options.Port, ex);
                ResetTcp();
            }
        }
    }

    private async ValueTask<NetworkStream> TcpStreamAsync(CancellationToken cancellationToken)
    {
        if (_tcpStream is not null && _tcp is { Connected: true })
        {
            return _tcpStream;
        }

        ResetTcp();
        _tcp = new TcpClient { NoDelay = true };
        await _tcp.ConnectAsync(_options.Host!, _options.Port, cancellationToken).ConfigureAwait(false);
        _tcpStream = _tcp.GetStream();
        return _tcpStream;
    }

    private void ResetTcp()
    {
        _tcpStream?.Dispose();
        _tcp?.Dispose();
        _tcpStream = null;
        _tcp = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ATNA export to {Host}:{Port} failed")]
    private static partial void LogSendFailed(ILogger logger, string host, int port, Exception exception);
}
