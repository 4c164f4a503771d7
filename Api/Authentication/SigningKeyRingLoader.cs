using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mirc.Api.Authentication;

/// <summary>
/// Loads the signing keys before the host serves requests, then reloads them every
/// <see cref="SigningKeyRing.ReloadInterval"/> so a rotation by another silo is picked up.
/// </summary>
internal sealed partial class SigningKeyRingLoader(SigningKeyRing keys, TimeProvider time, ILogger<SigningKeyRingLoader> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _refresh;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await keys.LoadAsync(cancellationToken).ConfigureAwait(false);
        _refresh = RefreshAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refresh is not null)
        {
            await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SigningKeyRing.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await keys.LoadAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Keep the keys already loaded: validation continues, the next tick retries.
                    LogReloadFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the signing keys failed; the loaded keys stay in use")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
