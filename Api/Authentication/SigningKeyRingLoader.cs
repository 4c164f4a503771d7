using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mirc.Api.Authentication;

/// <summary>
/// Loads the signing keys before the host serves requests, then reloads them every
/// <see cref="SigningKeyRing.ReloadInterval"/> so a rotation by another silo is picked up.
/// </summary>
/// <remarks>
/// A <see cref="BackgroundService"/> rather than a hand-kept token source: with a minimal-hosting entry point, the
/// application's own run loop and its host's owner may both stop the host, and the second stop can come after the
/// container disposed this service; BackgroundService's stop stays valid then, a disposed token source would throw.
/// </remarks>
internal sealed partial class SigningKeyRingLoader(SigningKeyRing keys, TimeProvider time, ILogger<SigningKeyRingLoader> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await keys.LoadAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
