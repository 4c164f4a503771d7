using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Copies the <see cref="ReplicaBacklog"/> to the second site: right after each write in asynchronous mode, and in
/// both modes once a second site that stopped answering is back (probed every <see cref="ReplicationOptions.SiteRetryDelay"/>).
/// </summary>
public sealed partial class ReplicaCatchUp : BackgroundService
{
    private readonly ReplicatedBlobStore _store;
    private readonly ReplicationOptions _options;
    private readonly ILogger<ReplicaCatchUp> _logger;

    /// <summary>Creates the copier of <paramref name="store"/>'s backlog (a <see cref="ReplicatedBlobStore"/>).</summary>
    public ReplicaCatchUp(IBlobStore store, ReplicationOptions options, ILogger<ReplicaCatchUp> logger)
    {
        _store = (ReplicatedBlobStore)store;
        _options = options;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backlog = _store.Backlog;
        var behind = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (backlog.Count == 0)
                {
                    await backlog.WaitAsync(_options.SiteRetryDelay, stoppingToken).ConfigureAwait(false);
                    if (backlog.Count == 0)
                    {
                        if (behind)
                        {
                            LogCaughtUp(_logger, backlog.LastLag);
                            behind = false;
                        }

                        continue;
                    }
                }

                if (!_store.SecondSiteAvailable)
                {
                    // Skipped after a failure: the next round, once the skip ends, is the probe.
                    behind = true;
                    await Task.Delay(_options.SiteRetryDelay, stoppingToken).ConfigureAwait(false);
                }

                behind |= backlog.Count > _options.CatchUpParallelism * 4;
                await CopyRoundAsync(backlog, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRoundFailed(_logger, e);
                await Task.Delay(_options.SiteRetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CopyRoundAsync(ReplicaBacklog backlog, CancellationToken stoppingToken)
    {
        var failed = 0;
        var batch = backlog.Snapshot(_options.CatchUpParallelism * 64);
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = _options.CatchUpParallelism, CancellationToken = stoppingToken }, async (item, ct) =>
        {
            if (Volatile.Read(ref failed) > 0)
            {
                return;
            }

            if (await _store.TryApplyAsync(item.Key, item.Value, ct).ConfigureAwait(false))
            {
                backlog.Complete(item);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }).ConfigureAwait(false);
        if (failed > 0)
        {
            _store.SkipSecond(new IOException($"{failed} catch-up copies failed"));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replication: the second site has caught up (last lag {Lag})")]
    private static partial void LogCaughtUp(ILogger logger, TimeSpan lag);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replication: a catch-up round failed; retrying")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
