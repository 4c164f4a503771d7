using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Retention;

/// <summary>
/// One pass of retention: for every establishment in the <see cref="IRetentionScheduleGrain"/>, deletes the studies of
/// each day bucket whose day plus the establishment's <see cref="EstablishmentProfile.RetentionYears"/> has passed,
/// then records the sweep's progress so later passes start where this one stopped. Each expired bucket is handed its
/// erasure (<see cref="IRetentionBucketGrain.ExpireAsync"/>), which it then owns: a study whose erasure fails stays in
/// its bucket and the bucket's reminder retries it, so a day is marked swept once its buckets took the job, not once
/// every erasure succeeded. Run by <see cref="RetentionSweepGrain"/>'s reminder (one sweep in the whole cluster).
/// </summary>
public sealed partial class RetentionSweep
{
    private readonly IGrainFactory _grains;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<RetentionSweep> _logger;

    /// <summary>Creates the sweep.</summary>
    public RetentionSweep(IGrainFactory grains, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionSweep> logger)
    {
        _grains = grains;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Runs one pass; <paramref name="dryRun"/> overrides <see cref="RetentionOptions.DryRun"/> when given.</summary>
    public async Task<RetentionSweepReport> RunAsync(bool? dryRun = null, CancellationToken cancellationToken = default)
    {
        var dry = dryRun ?? _options.DryRun;
        var today = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);
        var schedule = _grains.Reference<IRetentionScheduleGrain>(RetentionKeys.Schedule);
        var expired = new List<string>();
        var failed = new List<string>();
        foreach (var entry in await schedule.GetAllAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            var profile = await _grains.Reference<IEstablishmentGrain>(entry.EstablishmentId).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var years = profile?.RetentionYears ?? _options.DefaultRetentionYears;
            if (years <= 0)
            {
                continue;
            }

            // A study received on day d is past its retention once d + years < today, i.e. d < today - years.
            // No bucket lies after the establishment's last noted day: the walk ends there.
            var lastExpiredDay = Math.Min(today.AddYears(-years).DayNumber - 1, entry.LastDay ?? int.MaxValue);
            var from = Math.Max(entry.FirstDay, entry.SweptThrough == int.MinValue ? int.MinValue : entry.SweptThrough + 1);
            var sweptThrough = int.MinValue;
            for (var day = from; day <= lastExpiredDay && expired.Count < _options.MaxDeletionsPerSweep; day++)
            {
                if (dry)
                {
                    foreach (var study in await ListDayAsync(entry.EstablishmentId, DateOnly.FromDayNumber(day), cancellationToken).ConfigureAwait(false))
                    {
                        expired.Add(study);
                        LogWouldDelete(_logger, study, entry.EstablishmentId, years);
                    }

                    continue;
                }

                var handed = await ExpireDayAsync(entry.EstablishmentId, DateOnly.FromDayNumber(day), years, cancellationToken).ConfigureAwait(false);
                if (handed is null)
                {
                    break;
                }

                expired.AddRange(handed.Erased);
                expired.AddRange(handed.Pending);
                failed.AddRange(handed.Pending);
                sweptThrough = day;
            }

            if (sweptThrough != int.MinValue)
            {
                await schedule.MarkSweptAsync(entry.EstablishmentId, sweptThrough).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        LogSwept(_logger, expired.Count, failed.Count, dry);
        return new RetentionSweepReport(dry, expired, failed);
    }

    private async Task<IReadOnlyList<string>> ListDayAsync(string establishmentId, DateOnly day, CancellationToken cancellationToken)
    {
        var shards = new Task<IReadOnlyList<string>>[RetentionKeys.ShardsPerDay];
        for (var shard = 0; shard < shards.Length; shard++)
        {
            shards[shard] = _grains.Reference<IRetentionBucketGrain>(RetentionKeys.Bucket(establishmentId, day, shard)).GetStudiesAsync();
        }

        var all = new List<string>();
        foreach (var studies in await Task.WhenAll(shards).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            all.AddRange(studies);
        }

        return all;
    }

    /// <summary>
    /// Hands the day's buckets their erasure (the day's shards in parallel); null when a bucket could not take it (the day
    /// is then not marked swept and the next sweep hands it again; handing is idempotent).
    /// </summary>
    private async Task<RetentionBucketErasure?> ExpireDayAsync(string establishmentId, DateOnly day, int years, CancellationToken cancellationToken)
    {
        var reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Retention period of {years} year(s) elapsed");
        var shards = new Task<RetentionBucketErasure>[RetentionKeys.ShardsPerDay];
        for (var shard = 0; shard < shards.Length; shard++)
        {
            shards[shard] = _grains.Reference<IRetentionBucketGrain>(RetentionKeys.Bucket(establishmentId, day, shard)).ExpireAsync(reason);
        }

        try
        {
            var outcomes = await Task.WhenAll(shards).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RetentionBucketErasure([.. outcomes.SelectMany(o => o.Erased)], [.. outcomes.SelectMany(o => o.Pending)]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandOverFailed(_logger, ex, establishmentId, day);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention (dry run): would erase study {StudyUid} of {EstablishmentId} ({Years} years)")]
    private static partial void LogWouldDelete(ILogger logger, string studyUid, string establishmentId, int years);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Expired} expired study(ies), {Failed} awaiting their bucket's retry, dry run {DryRun}")]
    private static partial void LogSwept(ILogger logger, int expired, int failed, bool dryRun);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: the buckets of {EstablishmentId} for {Day} did not take their erasure; handed again at the next sweep")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string establishmentId, DateOnly day);
}
