using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit.Atna;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// Group-commit loop of <see cref="AuditTrail"/>: takes every event queued while the previous commit ran (up to
/// <see cref="AuditOptions.MaxBatchSize"/>), names each patient concerned, commits them in one store transaction, and
/// only then releases their callers (whose responses wait for it) and forwards them to ATNA. A batch that cannot be
/// committed after <see cref="AuditOptions.CommitAttempts"/> fails its callers: their operations serve nothing.
/// Before the first commit it migrates a trail left in grain-state segments by an earlier version.
/// </summary>
public sealed partial class AuditTrailWriter(
    AuditTrail trail,
    IAuditStore store,
    LegacyAuditImporter legacy,
    AuditPatientResolver patients,
    IAtnaSink atna,
    IOptions<AuditOptions> options,
    ILogger<AuditTrailWriter> logger) : BackgroundService
{
    private readonly int _maxBatch = options.Value.MaxBatchSize;
    private readonly int _attempts = options.Value.CommitAttempts;
    private readonly TimeSpan _retryDelay = options.Value.RetryDelay;
    private readonly TimeSpan _commitInterval = options.Value.CommitInterval;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditWorkItem>(_maxBatch);
        try
        {
            await PrepareAsync(stoppingToken).ConfigureAwait(false);
            var lastCommit = 0L;
            while (await trail.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                var wait = _commitInterval - Stopwatch.GetElapsedTime(lastCommit);
                if (lastCommit != 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
                }

                lastCommit = Stopwatch.GetTimestamp();
                await DrainOnceAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: a batch interrupted mid-way is refused (it may not be durable); then one bounded last attempt
            // commits what is queued, so a clean stop loses nothing; whoever is still waiting after it is refused.
            Fail(batch, new AuditNotDurableException("the host stopped while the audit record was being committed"));
            trail.Close();
            using var lastChance = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (trail.Reader.TryPeek(out _))
                {
                    await DrainOnceAsync(batch, lastChance.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                LogLostOnShutdown(logger, batch.Count, ex);
                Fail(batch, new AuditNotDurableException("the host stopped before the audit record was committed", ex));
                while (trail.Reader.TryRead(out var item))
                {
                    item.Durable.TrySetException(new AuditNotDurableException("the host stopped before the audit record was committed"));
                }
            }
        }
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                await legacy.ImportAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Records wait in the queue meanwhile (their callers wait too: nothing is served unaudited).
                LogPrepareFailed(logger, attempt, ex);
                await Task.Delay(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DrainOnceAsync(List<AuditWorkItem> batch, CancellationToken cancellationToken)
    {
        batch.Clear();
        // Sized by what is queued, not by the batch limit: a drain runs per commit, most hold a few records.
        var events = new List<AuditEvent>(Math.Min(_maxBatch, trail.Reader.CanCount ? trail.Reader.Count : 16));
        while (events.Count < _maxBatch && trail.Reader.TryRead(out var item))
        {
            batch.Add(item);
            if (item.Event is not null)
            {
                events.Add(item.Event);
            }
        }

        if (events.Count == 0)
        {
            Complete(batch);
            return;
        }

        var records = await patients.ResolveAsync(events, cancellationToken).ConfigureAwait(false);
        try
        {
            await CommitAsync(records, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCommitAbandoned(logger, records.Count, ex);
            Fail(batch, new AuditNotDurableException("the audit record could not be committed", ex));
            return;
        }

        Complete(batch);
        await atna.SendAsync(records, cancellationToken).ConfigureAwait(false);
    }

    private async Task CommitAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(events, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < _attempts)
            {
                LogCommitFailed(logger, events.Count, attempt, ex);
                await Task.Delay(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void Complete(List<AuditWorkItem> batch)
    {
        foreach (var item in batch)
        {
            item.Durable.TrySetResult();
        }

        batch.Clear();
    }

    private static void Fail(List<AuditWorkItem> batch, Exception exception)
    {
        foreach (var item in batch)
        {
            item.Durable.TrySetException(exception);
        }

        batch.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit commit of {Count} events failed (attempt {Attempt}); retrying")]
    private static partial void LogCommitFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit commit of {Count} events failed for good: their operations are refused")]
    private static partial void LogCommitAbandoned(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit store not ready (attempt {Attempt}); audited operations wait")]
    private static partial void LogPrepareFailed(ILogger logger, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit shutdown: {Count} queued events could not be committed (their operations were refused)")]
    private static partial void LogLostOnShutdown(ILogger logger, int count, Exception exception);
}
