using System.Data.Common;
using System.Threading.Channels;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// Group commit: one writer loop takes every write queued while the previous transaction was committing (up to a
/// batch size) and commits them in one transaction, so the cost of the commit's fsync is shared by all concurrent
/// ingests. A batch of lazy writes only (<see cref="IndexWrite.Lazily"/>) commits without waiting for the device
/// (SQLite <c>synchronous = NORMAL</c> in WAL mode, PostgreSQL <c>synchronous_commit = off</c>): visible at once, safe
/// from a process crash, made durable by the next durable commit, since both databases make a log durable in order. Any
/// other batch commits durably. If a batch fails, its writes are retried one by one so one bad write fails alone.
/// </summary>
internal sealed class GroupCommitQueue : IAsyncDisposable
{
    private readonly Channel<IndexWrite> _queue = Channel.CreateUnbounded<IndexWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WriterConnection _writer;
    private readonly int _maxBatchSize;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    private readonly Func<DbConnection, int, CancellationToken, Task>? _afterCommit;
    private readonly SqlDialect _dialect;

    /// <param name="dialect">Decides how a lazy batch commits.</param>
    /// <param name="openConnection">Opens a ready connection.</param>
    /// <param name="maxBatchSize">Most instances per transaction.</param>
    /// <param name="afterCommit">Run on the writer connection after each commit with the number of instances upserted (housekeeping such as planner statistics); its failures do not fail the committed writes.</param>
    public GroupCommitQueue(SqlDialect dialect, Func<CancellationToken, Task<DbConnection>> openConnection, int maxBatchSize, Func<DbConnection, int, CancellationToken, Task>? afterCommit = null)
    {
        _dialect = dialect;
        _writer = new WriterConnection(openConnection);
        _afterCommit = afterCommit;
        _maxBatchSize = maxBatchSize;
        _loop = Task.Run(RunAsync);
    }

    public async Task<bool> EnqueueAsync(IndexWrite write, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue));
        }

        // A caller that stops waiting does not withdraw the write: writes are idempotent.
        return await write.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<IndexWrite>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var size = 0;
            while (size < _maxBatchSize && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
                size += write.Size;
            }

            try
            {
                var results = await ExecuteAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var write in batch)
                {
                    await ExecuteAloneAsync(write).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                batch[0].Completion.TrySetException(e);
            }
        }
    }

    private async Task ExecuteAloneAsync(IndexWrite write)
    {
        try
        {
            var results = await ExecuteAsync([write]).ConfigureAwait(false);
            write.Completion.TrySetResult(results[0]);
        }
        catch (Exception e)
        {
            write.Completion.TrySetException(e);
        }
    }

    private Task<bool[]> ExecuteAsync(IReadOnlyList<IndexWrite> batch) =>
        _writer.RunAsync(connection => ExecuteOnWriterAsync(connection, batch), _stopping.Token);

    private async Task<bool[]> ExecuteOnWriterAsync(DbConnection connection, IReadOnlyList<IndexWrite> batch)
    {
        var cancellationToken = _stopping.Token;
        var results = new bool[batch.Count];
        var durable = !batch.All(w => w.Lazily);
        if (_dialect == SqlDialect.Sqlite)
        {
            await _writer.SetSqliteSynchronousAsync(durable, cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (_dialect == SqlDialect.Postgres)
        {
            // Explicit both ways: a server whose default is off still commits a durable batch durably.
            await _writer.Command(transaction, durable ? "SET LOCAL synchronous_commit TO ON" : "SET LOCAL synchronous_commit TO OFF").ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Consecutive upserts are merged into one pass (shared patient/study/series upserts and recounts).
        var pending = new List<IndexedInstance>();
        var pendingFrom = 0;
        var upserted = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Upserts is { } upserts)
            {
                pending.AddRange(upserts);
                upserted += upserts.Count;
                continue;
            }

            await FlushAsync(i).ConfigureAwait(false);
            results[i] = batch[i].IsBarrier
                ? await IndexWriter.WriteDurabilityBarrierAsync(_writer, transaction, cancellationToken).ConfigureAwait(false)
                : batch[i].DeleteInstanceUid is { } sop
                ? await IndexWriter.DeleteInstanceAsync(_writer, transaction, _dialect, sop, cancellationToken).ConfigureAwait(false)
                : await IndexWriter.DeleteStudyAsync(_writer, transaction, batch[i].DeleteStudyUid!, cancellationToken).ConfigureAwait(false);
            pendingFrom = i + 1;
        }

        await FlushAsync(batch.Count).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (_afterCommit is not null && upserted > 0)
        {
            try
            {
                await _afterCommit(connection, upserted, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException)
            {
                // Housekeeping only: the writes are committed and must be reported as such.
            }
        }

        return results;

        async Task FlushAsync(int end)
        {
            if (pending.Count > 0)
            {
                await IndexWriter.UpsertAsync(_writer, transaction, _dialect, pending, inArrivalOrder: false, cancellationToken).ConfigureAwait(false);
                pending.Clear();
            }

            for (var j = pendingFrom; j < end; j++)
            {
                results[j] = true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            // The loop owns the writer connection: let it end before closing it.
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
