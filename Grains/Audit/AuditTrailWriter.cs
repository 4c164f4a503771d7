using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit.Atna;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// Background group-commit loop: drains the queue of <see cref="AuditTrail"/> in batches, commits each batch with one
/// chain-grain call (retrying until it succeeds: audit events are never dropped), then forwards it to ATNA.
/// </summary>
public sealed partial class AuditTrailWriter(
    AuditTrail trail,
    IGrainFactory grains,
    AuditPatientResolver patients,
    IAtnaSink atna,
    IOptions<AuditOptions> options,
    ILogger<AuditTrailWriter> logger) : BackgroundService
{
    private readonly int _maxBatch = options.Value.MaxBatchSize;
    private readonly TimeSpan _retryDelay = options.Value.RetryDelay;
    private readonly TimeSpan _commitInterval = options.Value.CommitInterval;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(_maxBatch);
        var flushes = new List<TaskCompletionSource>();
        try
        {
            var lastCommit = 0L;
            while (await trail.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Every commit rewrites the chain head and the current segment: under load (one event per stored
                // instance) let events gather for a moment instead of committing them one by one.
                var wait = _commitInterval - Stopwatch.GetElapsedTime(lastCommit);
                if (lastCommit != 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
                }

                lastCommit = Stopwatch.GetTimestamp();
                await DrainOnceAsync(batch, flushes, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: one bounded last attempt so a clean stop loses nothing.
            using var lastChance = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (trail.Reader.TryPeek(out _))
                {
                    await DrainOnceAsync(batch, flushes, lastChance.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or OrleansException or TimeoutException)
            {
                LogLostOnShutdown(logger, batch.Count, ex);
            }
        }
    }

    private async Task DrainOnceAsync(List<AuditEvent> batch, List<TaskCompletionSource> flushes, CancellationToken cancellationToken)
    {
        batch.Clear();
        flushes.Clear();
        while (batch.Count < _maxBatch && trail.Reader.TryRead(out var item))
        {
            if (item.Event is not null)
            {
                batch.Add(item.Event);
            }
            else if (item.Flushed is not null)
            {
                flushes.Add(item.Flushed);
                break; // Complete the flush as soon as what precedes it is committed.
            }
        }

        if (batch.Count > 0)
        {
            await patients.ResolveAsync(batch, cancellationToken).ConfigureAwait(false);
            await CommitAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        foreach (var flushed in flushes)
        {
            flushed.TrySetResult();
        }

        if (batch.Count > 0)
        {
            await atna.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        var events = batch.ToArray();
        var chain = grains.GetGrain<IAuditChainGrain>(IAuditChainGrain.SingletonKey);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await chain.AppendAsync(events).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCommitFailed(logger, events.Length, attempt, ex);
                await Task.Delay(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit commit of {Count} events failed (attempt {Attempt}); retrying")]
    private static partial void LogCommitFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit shutdown: {Count} queued events could not be committed")]
    private static partial void LogLostOnShutdown(ILogger logger, int count, Exception exception);
}
