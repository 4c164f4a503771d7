using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Sharing;

/// <summary>
/// Runs the pushes a <see cref="ShareGrain"/> starts (on creation or on its reminder) on this silo, outside grain turns:
/// a push lasts as long as the study takes to send, and reports progress back to the same grain, which must stay free to
/// answer. At most <see cref="SharingOptions.MaxConcurrentShares"/> at a time; stopped with the silo (the share's
/// lease then runs out and its reminder resumes it).
/// </summary>
public sealed class SharePushRunner : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly SharePusher _pusher;
    private readonly ILogger<SharePushRunner> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Creates the runner.</summary>
    public SharePushRunner(SharePusher pusher, IOptions<SharingOptions> options, ILogger<SharePushRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pusher = pusher;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Value.MaxConcurrentShares);
    }

    /// <summary>Starts a push of <paramref name="shareId"/> unless one already runs here or the silo is stopping.</summary>
    public void Start(string shareId)
    {
        if (_stopping.IsCancellationRequested || !_active.TryAdd(shareId, 0)) return;
        // Task.Run: off the calling grain's scheduler, so the push does not hold (or wait on) the grain's turn.
        var run = Task.Run(() => RunAsync(shareId, _stopping.Token), CancellationToken.None);
        _running.TryAdd(run, 0);
        _ = run.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SharePushRunner), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(string shareId, CancellationToken stoppingToken)
    {
        try
        {
            await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await _pusher.RunAsync(shareId, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Storage or grain failure: the share stays pending and its reminder tries again.
            SharingLog.RunFailed(_logger, ex, shareId);
        }
        finally
        {
            _active.TryRemove(shareId, out _);
        }
    }
}
