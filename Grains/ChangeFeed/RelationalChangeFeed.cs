using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// <see cref="IChangeFeed"/> over an ADO.NET database: one table, shared SQL; subclasses provide connections, the
/// sequence column and how an append transaction is serialized. One writer loop commits every append queued while the
/// previous transaction was committing, so concurrent manifest commits share one durable commit.
/// </summary>
public abstract class RelationalChangeFeed : IChangeFeed, IAsyncDisposable
{
    /// <summary>Most events written in one transaction.</summary>
    private const int MaxBatchEvents = 2_000;

    private const string Insert = """
        INSERT INTO changefeed (created_ms, study_uid, series_uid, sop_uid, action, establishment_id, patient_id)
        VALUES (@created, @study, @series, @sop, @action, @establishment, @patient)
        """;

    // The newest later event of the same instance gives the state (a delete, or a replacement).
    private const string Select = """
        SELECT c.sequence, c.created_ms, c.study_uid, c.series_uid, c.sop_uid, c.action, c.establishment_id, c.patient_id,
          (SELECT l.action FROM changefeed l WHERE l.sop_uid = c.sop_uid AND l.sequence > c.sequence ORDER BY l.sequence DESC LIMIT 1)
        FROM changefeed c
        """;

    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeProvider _clock;
    private readonly SchemaInitialization _schema;
    private readonly WriterConnection _writer;
    private readonly Task _loop;
    private int _disposed;

    private protected RelationalChangeFeed(TimeProvider? clock)
    {
        _clock = clock ?? TimeProvider.System;
        _schema = new SchemaInitialization(CreateSchemaAsync);
        _writer = new WriterConnection(OpenInitializedAsync);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The table and its indexes; <paramref name="sequenceColumn"/> declares the ordered key.</summary>
    private protected static string SchemaDdl(string sequenceColumn) => $"""
        CREATE TABLE IF NOT EXISTS changefeed (
          sequence {sequenceColumn},
          created_ms BIGINT NOT NULL,
          study_uid TEXT NOT NULL,
          series_uid TEXT NOT NULL,
          sop_uid TEXT NOT NULL,
          action TEXT NOT NULL,
          establishment_id TEXT NOT NULL,
          patient_id TEXT);
        CREATE INDEX IF NOT EXISTS ix_changefeed_establishment ON changefeed (establishment_id, sequence);
        CREATE INDEX IF NOT EXISTS ix_changefeed_study ON changefeed (study_uid, sequence);
        CREATE INDEX IF NOT EXISTS ix_changefeed_sop ON changefeed (sop_uid, sequence);
        """;

    /// <summary>Opens a ready-to-use connection (pooled).</summary>
    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Creates the table if missing.</summary>
    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Starts an append transaction in which sequences are assigned in commit order.</summary>
    private protected virtual async Task<DbTransaction> BeginAppendAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Releases subclass resources after the writes are drained.</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public virtual bool FlushedWithDataFolder => false;

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) =>
        Enqueue(events, durable: true, cancellationToken);

    /// <inheritdoc />
    public Task AppendBeforeFlushAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) =>
        Enqueue(events, durable: !FlushedWithDataFolder, cancellationToken);

    /// <summary>
    /// Sets how the next append transaction reaches the device: <paramref name="durable"/> before the commit returns, else
    /// by the data folder's next flush round (only asked for when <see cref="FlushedWithDataFolder"/>).
    /// </summary>
    private protected virtual Task SetDurabilityAsync(WriterConnection writer, bool durable) => Task.CompletedTask;

    private Task Enqueue(IReadOnlyList<ChangeFeedEvent> events, bool durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var e in events)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(e.StudyInstanceUid, nameof(e.StudyInstanceUid));
            ArgumentException.ThrowIfNullOrWhiteSpace(e.SeriesInstanceUid, nameof(e.SeriesInstanceUid));
            ArgumentException.ThrowIfNullOrWhiteSpace(e.SopInstanceUid, nameof(e.SopInstanceUid));
            ArgumentException.ThrowIfNullOrWhiteSpace(e.EstablishmentId, nameof(e.EstablishmentId));
        }

        var pending = new PendingAppend(events, durable);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(RelationalChangeFeed));
        }

        // A caller that stops waiting does not withdraw the append: it is committed or failed with its batch.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChangeFeedEvent>> ReadAsync(long offset, int limit, string? establishmentId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var where = establishmentId is null ? " WHERE c.sequence > @offset" : " WHERE c.establishment_id = @establishment AND c.sequence > @offset";
        return QueryAsync(Select + where + " ORDER BY c.sequence LIMIT @limit", cancellationToken, ("@offset", offset), ("@establishment", establishmentId), ("@limit", (long)limit));
    }

    /// <inheritdoc />
    public async Task<ChangeFeedEvent?> LatestAsync(string? establishmentId, CancellationToken cancellationToken = default)
    {
        var where = establishmentId is null ? string.Empty : " WHERE c.establishment_id = @establishment";
        var rows = await QueryAsync(Select + where + " ORDER BY c.sequence DESC LIMIT 1", cancellationToken, ("@establishment", establishmentId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChangeFeedEvent>> StudyEventsAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studyInstanceUid);
        return QueryAsync(Select + " WHERE c.study_uid = @study ORDER BY c.sequence", cancellationToken, ("@study", studyInstanceUid));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChangeFeedStudy>> StudiesAsync(long afterFirstSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // A range scan of the key that stops after `limit` first events (no GROUP BY over the whole feed).
        const string sql = """
            SELECT c.study_uid, c.sequence FROM changefeed c
            WHERE c.sequence > @after AND NOT EXISTS (SELECT 1 FROM changefeed p WHERE p.study_uid = c.study_uid AND p.sequence < c.sequence)
            ORDER BY c.sequence LIMIT @limit
            """;
        await using var connection = await OpenInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, ("@after", afterFirstSequence), ("@limit", (long)limit));
        var studies = new List<ChangeFeedStudy>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            studies.Add(new ChangeFeedStudy(reader.GetString(0), reader.GetInt64(1)));
        }

        return studies;
    }

    /// <summary>Drains queued appends and releases resources.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private async Task<IReadOnlyList<ChangeFeedEvent>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters.Where(p => sql.Contains(p.Name, StringComparison.Ordinal)).ToArray());
        var events = new List<ChangeFeedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var action = Enum.Parse<ChangeFeedAction>(reader.GetString(5));
            var later = reader.IsDBNull(8) ? (ChangeFeedAction?)null : Enum.Parse<ChangeFeedAction>(reader.GetString(8));
            events.Add(new ChangeFeedEvent
            {
                Sequence = reader.GetInt64(0),
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                StudyInstanceUid = reader.GetString(2),
                SeriesInstanceUid = reader.GetString(3),
                SopInstanceUid = reader.GetString(4),
                Action = action,
                EstablishmentId = reader.GetString(6),
                PatientId = reader.IsDBNull(7) ? null : reader.GetString(7),
                State = (action, later) switch
                {
                    (ChangeFeedAction.Delete, _) or (_, ChangeFeedAction.Delete) => ChangeFeedState.Deleted,
                    (_, null) => ChangeFeedState.Current,
                    _ => ChangeFeedState.Replaced,
                },
            });
        }

        return events;
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingAppend>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var size = 0;
            while (size < MaxBatchEvents && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                size += pending.Events.Count;
            }

            try
            {
                await _writer.RunAsync(connection => WriteAsync(connection, batch), CancellationToken.None).ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult();
                }
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    private async Task WriteAsync(DbConnection connection, List<PendingAppend> batch)
    {
        // One durable append makes the whole transaction durable.
        await SetDurabilityAsync(_writer, batch.Exists(p => p.Durable)).ConfigureAwait(false);
        var created = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var transaction = await BeginAppendAsync(connection, CancellationToken.None).ConfigureAwait(false);
        var insert = _writer.Command(transaction, Insert, "@created", "@study", "@series", "@sop", "@action", "@establishment", "@patient");
        insert.Parameters[0].Value = created;
        foreach (var e in batch.SelectMany(p => p.Events))
        {
            insert.Parameters[1].Value = e.StudyInstanceUid;
            insert.Parameters[2].Value = e.SeriesInstanceUid;
            insert.Parameters[3].Value = e.SopInstanceUid;
            insert.Parameters[4].Value = e.Action.ToString();
            insert.Parameters[5].Value = e.EstablishmentId;
            insert.Parameters[6].Value = (object?)e.PatientId ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch
            {
                null => DBNull.Value,
                long n => n,
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            };
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task<DbConnection> OpenInitializedAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class PendingAppend(IReadOnlyList<ChangeFeedEvent> events, bool durable)
    {
        public IReadOnlyList<ChangeFeedEvent> Events { get; } = events;

        public bool Durable { get; } = durable;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
