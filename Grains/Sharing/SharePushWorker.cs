using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Sharing;

namespace Mirc.Grains.Sharing;

/// <summary>
/// Background push of shares: takes share ids from the <see cref="ShareQueue"/>, runs at most
/// <see cref="SharingOptions.MaxConcurrentShares"/> at a time, and at start-up re-queues every pending share so that
/// queued and interrupted pushes resume after a restart. A share another host holds is retried once its lease may have run out.
/// </summary>
public sealed class SharePushWorker(
    ShareQueue queue,
    SharePusher pusher,
    IGrainFactory grains,
    IOptions<SharingOptions> options,
    ILogger<SharePushWorker> logger,
    TimeProvider time) : BackgroundService
{
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ResumePendingAsync(stoppingToken).ConfigureAwait(false);
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrentShares);
        try
        {
            await foreach (var shareId in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                if (!_active.TryAdd(shareId, 0))
                {
                    slots.Release(); // already running here
                    continue;
                }
                var run = RunAsync(shareId, slots, stoppingToken);
                _running.TryAdd(run, 0);
                _ = run.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_running.Keys).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string shareId, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var outcome = await pusher.RunAsync(shareId, stoppingToken).ConfigureAwait(false);
            if (outcome == ShareRunOutcome.HeldElsewhere) _ = RetryLaterAsync(shareId, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Storage or grain failure: the share stays pending (its lease runs out) and is retried later.
            SharingLog.RunFailed(logger, ex, shareId);
            _ = RetryLaterAsync(shareId, stoppingToken);
        }
        finally
        {
            _active.TryRemove(shareId, out _);
            slots.Release();
        }
    }

    private async Task RetryLaterAsync(string shareId, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.Lease, time, stoppingToken).ConfigureAwait(false);
            queue.Enqueue(shareId);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResumePendingAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var pending = await grains.GetGrain<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).GetAllAsync().ConfigureAwait(false);
                foreach (var shareId in pending) queue.Enqueue(shareId);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < 5)
            {
                SharingLog.ResumeFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(attempt), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
