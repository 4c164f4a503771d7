using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;
using Orleans.Storage;

namespace Mirc.Grains.Retention;

/// <summary>
/// <see cref="IRetentionBucketGrain"/>: a set of study UIDs, written only when it changes — the open page in the bucket's
/// record, full pages sealed into records of their own (<see cref="RetentionBucketPages"/>), so an add costs at most one
/// page. An expired bucket holds the reminder <see cref="ReminderName"/> until its last study is erased; a study leaves
/// the set only once its own (resumable) erasure reports done, so a failure anywhere is retried, never forgotten.
/// </summary>
public sealed partial class RetentionBucketGrain : Grain, IRetentionBucketGrain, IRemindable
{
    /// <summary>Name of the bucket's erasure reminder.</summary>
    public const string ReminderName = "retention-erasure";

    private readonly IPersistentState<RetentionBucketState> _state;
    private readonly RetentionOptions _options;
    private readonly ILogger<RetentionBucketGrain> _logger;
    private RetentionBucketPages _pages = null!;

    /// <summary>Creates the grain.</summary>
    public RetentionBucketGrain(
        [PersistentState("retention-bucket", StorageProviders.Archive)] IPersistentState<RetentionBucketState> state,
        IOptions<RetentionOptions> options,
        ILogger<RetentionBucketGrain> logger)
    {
        _state = state;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _pages = new RetentionBucketPages(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive), this.GetGrainId());
        if (_state.State.SealedPages > 0)
        {
            await _pages.LoadAsync(_state.State.SealedPages, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task AddAsync(IReadOnlyList<string> studyInstanceUids)
    {
        var added = false;
        foreach (var studyInstanceUid in studyInstanceUids)
        {
            added |= !_pages.Contains(studyInstanceUid) && _state.State.Studies.Add(studyInstanceUid);
        }

        if (!added)
        {
            return;
        }

        try
        {
            if (_state.State.Studies.Count >= RetentionBucketPages.PageSize)
            {
                // The page first: until the bucket's record counts it, a page record is ignored (and overwritten).
                await _pages.SealAsync(_state.State.Studies);
                _state.State.SealedPages = _pages.PageCount;
                _state.State.Studies = new(StringComparer.Ordinal);
            }

            await _state.WriteStateAsync();
        }
        catch
        {
            // Memory follows storage: a caller's retry must find these studies missing and write them again.
            await ResetAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetStudiesAsync() => Task.FromResult<IReadOnlyList<string>>([.. _pages.Studies, .. _state.State.Studies]);

    private int StudyCount => _pages.Count + _state.State.Studies.Count;

    /// <inheritdoc />
    public async Task<RetentionBucketErasure> ExpireAsync(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (StudyCount == 0)
        {
            return new RetentionBucketErasure([], []);
        }

        if (_state.State.ErasureReason is null)
        {
            // Recorded with its reminder before the first study is touched: from here a crash only delays the erasure.
            _state.State.ErasureReason = reason;
            await _state.WriteOrResetAsync(DeactivateOnIdle);
        }

        await this.RegisterOrUpdateReminder(ReminderName, _options.ErasureRetryInterval, _options.ErasureRetryInterval);
        return await EraseAsync();
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!string.Equals(reminderName, ReminderName, StringComparison.Ordinal))
        {
            return;
        }

        if (_state.State.ErasureReason is null)
        {
            // A reminder outliving its bucket's state (a state lost or cleared): nothing to erase.
            await StopReminderAsync();
            return;
        }

        await EraseAsync();
    }

    private async Task<RetentionBucketErasure> EraseAsync()
    {
        var reason = _state.State.ErasureReason!;
        var erased = new ConcurrentBag<string>();
        var pending = new ConcurrentBag<string>();
        var grains = GrainFactory; // read on the activation's thread: the loop body runs on pool threads
        await Parallel.ForEachAsync(
            (string[])[.. _pages.Studies, .. _state.State.Studies],
            new ParallelOptions { MaxDegreeOfParallelism = _options.ErasureParallelism, TaskScheduler = TaskScheduler.Default },
            async (study, _) =>
            {
                try
                {
                    await grains.Reference<IStudyGrain>(study).DeleteAsync(reason, RetentionKeys.Actor);
                    erased.Add(study);
                }
                catch (Exception ex)
                {
                    LogEraseFailed(_logger, ex, study, _options.ErasureRetryInterval);
                    pending.Add(study);
                }
            });

        if (!erased.IsEmpty)
        {
            // Pages before the bucket's record: a crash in between leaves erased studies named in the record, erased
            // again (a no-op) by the next attempt.
            var done = erased.ToHashSet(StringComparer.Ordinal);
            try
            {
                _state.State.Studies.ExceptWith(done);
                await _pages.RemoveAsync(done);
                if (StudyCount == 0)
                {
                    await _pages.ClearAsync();
                    await _state.ClearStateAsync();
                }
                else
                {
                    await _state.WriteStateAsync();
                }
            }
            catch
            {
                await ResetAsync();
                throw;
            }
        }

        if (StudyCount == 0)
        {
            await StopReminderAsync();
        }

        LogErased(_logger, this.GetPrimaryKeyString(), erased.Count, pending.Count);
        return new RetentionBucketErasure([.. erased], [.. pending]);
    }

    /// <summary>After a refused write: the bucket's record and pages read back as stored, and the grain deactivated once idle.</summary>
    private async Task ResetAsync()
    {
        await _state.ResetAsync(DeactivateOnIdle);
        try
        {
            await _pages.LoadAsync(_state.State.SealedPages);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage unavailable: the deactivation reads them on the next call.
        }
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: erasing study {StudyUid} failed; its bucket retries it in {RetryInterval}")]
    private static partial void LogEraseFailed(ILogger logger, Exception exception, string studyUid, TimeSpan retryInterval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention bucket {Bucket}: {Erased} study(ies) erased, {Pending} awaiting a retry")]
    private static partial void LogErased(ILogger logger, string bucket, int erased, int pending);
}
