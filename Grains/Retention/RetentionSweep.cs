using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Retention;

/// <summary>
/// One pass of retention: for every establishment in the <see cref="IRetentionScheduleGrain"/>, deletes the studies of
/// each day bucket whose day plus the establishment's <see cref="EstablishmentProfile.RetentionYears"/> has passed,
/// then records the sweep's progress so later passes start where this one stopped. Deletions go through
/// <see cref="IStudyGrain.DeleteAsync"/> (blobs, index, patient reference, audit).
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
        var schedule = _grains.GetGrain<IRetentionScheduleGrain>(RetentionKeys.Schedule);
        var expired = new List<string>();
        var failed = new List<string>();
        foreach (var entry in await schedule.GetAllAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            var profile = await _grains.GetGrain<IEstablishmentGrain>(entry.EstablishmentId).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var years = profile?.RetentionYears ?? _options.DefaultRetentionYears;
            if (years <= 0)
            {
                continue;
            }

            // A study received on day d is past its retention once d + years < today, i.e. d < today - years.
            var lastExpiredDay = today.AddYears(-years).DayNumber - 1;
            var from = Math.Max(entry.FirstDay, entry.SweptThrough == int.MinValue ? int.MinValue : entry.SweptThrough + 1);
            var sweptThrough = int.MinValue;
            for (var day = from; day <= lastExpiredDay && expired.Count < _options.MaxDeletionsPerSweep; day++)
            {
                var studies = await ListDayAsync(entry.EstablishmentId, DateOnly.FromDayNumber(day), cancellationToken).ConfigureAwait(false);
                var complete = true;
                foreach (var study in studies)
                {
                    if (expired.Count >= _options.MaxDeletionsPerSweep)
                    {
                        complete = false;
                        break;
                    }

                    expired.Add(study);
                    if (dry)
                    {
                        LogWouldDelete(_logger, study, entry.EstablishmentId, years);
                        continue;
                    }

                    if (!await TryDeleteAsync(study, years, cancellationToken).ConfigureAwait(false))
                    {
                        failed.Add(study);
                        complete = false;
                    }
                }

                if (!complete || dry)
                {
                    break;
                }

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
            shards[shard] = _grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(establishmentId, day, shard)).GetStudiesAsync();
        }

        var all = new List<string>();
        foreach (var studies in await Task.WhenAll(shards).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            all.AddRange(studies);
        }

        return all;
    }

    private async Task<bool> TryDeleteAsync(string studyInstanceUid, int years, CancellationToken cancellationToken)
    {
        try
        {
            var reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Retention period of {years} year(s) elapsed");
            await _grains.GetGrain<IStudyGrain>(studyInstanceUid).DeleteAsync(reason, RetentionKeys.Actor).WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeleteFailed(_logger, ex, studyInstanceUid);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention (dry run): would delete study {StudyUid} of {EstablishmentId} ({Years} years)")]
    private static partial void LogWouldDelete(ILogger logger, string studyUid, string establishmentId, int years);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Expired} expired study(ies), {Failed} failed, dry run {DryRun}")]
    private static partial void LogSwept(ILogger logger, int expired, int failed, bool dryRun);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: deleting study {StudyUid} failed; retried at the next sweep")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string studyUid);
}
