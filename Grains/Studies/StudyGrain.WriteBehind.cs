using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Studies;

/// <summary>
/// The manifest written behind the answer, where the change feed is flushed with the data folder
/// (<see cref="IChangeFeed.FlushedWithDataFolder"/>): a batch is answered once its Create events are committed (unflushed)
/// and its entries are in memory; one write loop then writes the summary and the touched segments, each write covering
/// every entry answered before it began — so batches answered during a write share the next one. The acknowledgement
/// needs no manifest write: each ingest's intent is durable in its journal before the answer, and stays there until
/// <see cref="WhenManifestWrittenAsync"/> — a crash meanwhile is repaired by the reconciliation, which registers the
/// instance again. A write's flush round makes the batch's events durable too. No store waits for a segment write, its
/// publication or the write in flight before it.
/// </summary>
public sealed partial class StudyGrain
{
    // SOP Instance UID → the end of the write that will hold it, for the entries answered and not yet written.
    private readonly Dictionary<string, Task> _writesBehind = new(StringComparer.Ordinal);
    private readonly HashSet<int> _dirtySegments = [];
    private List<InstanceEntry> _unwritten = [];
    private TaskCompletionSource _nextWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _summaryDirty;
    private Task _writeLoop = Task.CompletedTask;
    private Exception? _writeFailure;

    /// <inheritdoc />
    public async Task WhenManifestWrittenAsync(string sopInstanceUid, string digest)
    {
        // Still queued or being committed (a concurrent store of the same instance): answered first, then written.
        if (FindUnanswered(sopInstanceUid) is { } queued)
        {
            await ((Task)queued.Completion.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        if (_writesBehind.TryGetValue(sopInstanceUid, out var writing))
        {
            await writing;
        }

        if (!_bySop.TryGetValue(sopInstanceUid, out var entry) || !ContentDigest.SameDigest(entry.Digest, digest))
        {
            throw new InvalidOperationException($"Study {StudyUid}: the manifest does not hold instance {sopInstanceUid} (its manifest write failed and it was taken back out, or it was removed since).");
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A write behind the answer ends before the activation goes (else its WhenManifestWrittenAsync callers would find
        // a fresh activation without the instance and register it again for nothing).
        await WaitForCommitsAsync().WaitAsync(cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    /// <summary>Commits a batch's events, answers its adders and hands its entries to the write loop.</summary>
    private async Task CommitEventsFirstAsync(List<PendingAdd> batch)
    {
        if (_writeFailure is { } failure)
        {
            // This activation's memory is ahead of its storage and it is going away: the next one takes the batch.
            var refused = new IOException($"Study {StudyUid}: a manifest write failed; retry.", failure);
            foreach (var add in batch)
            {
                add.Completion.TrySetException(refused);
            }

            return;
        }

        var staged = Stage(batch);
        try
        {
            await ChangeFeed.AppendBeforeFlushAsync(batch.ConvertAll(add => FeedEvent(add.Entry, ChangeFeedAction.Create)));
        }
        catch (Exception ex)
        {
            FailStaged(batch, staged, ex);
            return;
        }

        _dirtySegments.UnionWith(_segments.Add(staged.Additions));
        _summaryDirty |= staged.SummaryChanged;
        foreach (var add in batch)
        {
            _writesBehind[add.Entry.SopInstanceUid] = _nextWrite.Task;
            _unwritten.Add(add.Entry);
        }

        Answer(batch, staged.ReferenceChanged);
        if (_writeLoop.IsCompleted)
        {
            _writeLoop = WriteLoopAsync();
        }
    }

    /// <summary>
    /// Writes the summary (first: it names the segments, and holds the first one) and the touched segments until nothing
    /// is left to write.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        while (_summaryDirty || _dirtySegments.Count > 0)
        {
            var written = _nextWrite;
            _nextWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var entries = _unwritten;
            _unwritten = [];
            int[] segments = [.. _dirtySegments];
            _dirtySegments.Clear();
            var summary = _summaryDirty;
            _summaryDirty = false;
            try
            {
                if (summary)
                {
                    // Published lazily, as the segments are: the intents of what it adds are held until it is written.
                    await ReplayedWrites.WriteAsync(() => _state.WriteStateAsync());
                }

                await _segments.WriteAsync(segments);
            }
            catch (Exception ex)
            {
                await FailWritesBehindAsync(ex, entries, written);
                return;
            }

            foreach (var entry in entries)
            {
                _writesBehind.Remove(entry.SopInstanceUid);
            }

            written.TrySetResult();
            LogBatchWritten(_logger, StudyUid, entries.Count);
        }
    }

    /// <summary>
    /// A failed write: every entry answered and not yet written leaves the memory (its ingest, told by
    /// <see cref="WhenManifestWrittenAsync"/>, registers it again), its Create is taken back, and the activation goes — its
    /// storage may hold a version it did not see (ETag).
    /// </summary>
    private async Task FailWritesBehindAsync(Exception ex, List<InstanceEntry> entries, TaskCompletionSource written)
    {
        LogCommitFailed(_logger, ex, StudyUid, entries.Count + _unwritten.Count);
        _writeFailure = ex;
        DeactivateOnIdle();
        var lost = entries.Concat(_unwritten).ToList();
        _unwritten = [];
        _dirtySegments.Clear();
        _summaryDirty = false;
        _segments.Forget(lost.Select(e => e.SopInstanceUid).ToHashSet(StringComparer.Ordinal));
        foreach (var entry in lost)
        {
            Unindex(entry);
        }

        await TakeBackEventsAsync(lost.ConvertAll(e => FeedEvent(e, ChangeFeedAction.Create)));
        foreach (var entry in lost)
        {
            _writesBehind.Remove(entry.SopInstanceUid);
        }

        written.TrySetResult();
        _nextWrite.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Study {StudyUid}: manifest written behind for {Count} instance(s)")]
    private static partial void LogBatchWritten(ILogger logger, string studyUid, int count);
}
