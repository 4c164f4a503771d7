using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mirc.Grains.Indexing.Sql;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// <see cref="IAuditStore"/> over an ADO.NET database: table <c>audit_records</c> (one row per record, never updated),
/// indexed by patient, actor, establishment and time so that reports and queries read only their rows, and the one-row
/// table <c>audit_head</c> (last sequence and hash) that the append transaction locks, so that concurrent writers (one
/// per silo) extend a single chain and a truncated tail is still detected. Subclasses give connections and the schema.
/// </summary>
public abstract class RelationalAuditStore : IAuditStore, IAsyncDisposable
{
    // Rows per INSERT statement (15 parameters each, well under both engines' parameter limits).
    private const int RowsPerInsert = 64;

    private const string Columns =
        "seq, ts, action, outcome, actor_id, actor_rpps, actor_est, actor_roles, source, patient_id, study_uids, detail, review, prev_hash, hash";

    private const int ValuesPerRow = 15;

    private const string ReadHeadSql = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1";

    private const string WriteHeadSql = "UPDATE audit_head SET last_seq = @seq, last_hash = @hash WHERE id = 1";

    private static readonly string InsertOne = InsertSql(1);
    private static readonly string[] InsertOneParameters = InsertParameterNames(1);
    private static readonly string InsertMany = InsertSql(RowsPerInsert);
    private static readonly string[] InsertManyParameters = InsertParameterNames(RowsPerInsert);

    /// <summary>
    /// The one schema of the trail on both engines (they differ only in the name of their 64-bit integer): records
    /// never updated, indexed by patient, actor, establishment and time; one head row holding the chain's end.
    /// </summary>
    private protected static string SchemaDdl(string integer64) => $"""
        CREATE TABLE IF NOT EXISTS audit_records (
          seq {integer64} PRIMARY KEY,
          ts {integer64} NOT NULL,
          action INTEGER NOT NULL,
          outcome INTEGER NOT NULL,
          actor_id TEXT,
          actor_rpps TEXT,
          actor_est TEXT,
          actor_roles TEXT,
          source TEXT,
          patient_id TEXT,
          study_uids TEXT NOT NULL,
          detail TEXT,
          review INTEGER NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_audit_patient ON audit_records (patient_id, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_actor ON audit_records (actor_id, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_establishment ON audit_records (actor_est, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_time ON audit_records (ts);
        CREATE TABLE IF NOT EXISTS audit_head (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          last_seq {integer64} NOT NULL,
          last_hash TEXT NOT NULL);
        INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
          ON CONFLICT (id) DO NOTHING;
        """;

    private readonly SemaphoreSlim _initialize = new(1, 1);
    private readonly SemaphoreSlim _appending = new(1, 1);
    private readonly WriterConnection _writer;
    private volatile bool _initialized;

    private protected RelationalAuditStore()
    {
        _writer = new WriterConnection(OpenConnectionAsync);
    }

    /// <summary>Opens a ready-to-use connection (pooled).</summary>
    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Creates the tables, indexes and the head row if missing.</summary>
    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Appended to the head read inside an append (PostgreSQL: <c>FOR UPDATE</c>; SQLite locks the file).</summary>
    private protected virtual string LockHeadClause => string.Empty;

    /// <summary>Starts the append transaction (SQLite: an immediate one, so the head read already holds the write lock).</summary>
    private protected virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized) return;
        await _initialize.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized) return;
            await CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _initialize.Release();
        }
    }

    /// <inheritdoc />
    public async Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Appends share one kept connection (its statements prepared once); they serialize on the head row anyway.
        await _appending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _writer.RunAsync(connection => AppendOnWriterAsync(connection, events, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _appending.Release();
        }
    }

    private async Task<AuditChainHead> AppendOnWriterAsync(DbConnection connection, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (sequence, previous) = await ReadHeadAsync(_writer.Command(transaction, ReadHeadSql + LockHeadClause), cancellationToken).ConfigureAwait(false);

        var records = new AuditRecord[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var record = AuditCanonicalForm.Seal(++sequence, Sanitize(events[i]), previous);
            records[i] = record;
            previous = record.Hash;
        }

        await InsertAsync(_writer, transaction, records, cancellationToken).ConfigureAwait(false);
        await WriteHeadAsync(_writer, transaction, sequence, previous, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AuditChainHead(sequence, previous, sequence == 0 ? 0 : 1);
    }

    /// <inheritdoc />
    public async Task<int> ImportAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var writer = new WriterConnection(OpenConnectionAsync);
        var connection = await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (last, lastHash) = await ReadHeadAsync(writer.Command(transaction, ReadHeadSql + LockHeadClause), cancellationToken).ConfigureAwait(false);
        var added = new List<AuditRecord>();
        foreach (var record in records)
        {
            if (record.Sequence <= last) continue;
            if (record.Sequence != last + 1) break; // a gap: keep what continues the chain, verification names the rest
            added.Add(record);
            last = record.Sequence;
            lastHash = record.Hash;
        }

        if (added.Count > 0)
        {
            await InsertAsync(writer, transaction, added, cancellationToken).ConfigureAwait(false);
            await WriteHeadAsync(writer, transaction, last, lastHash, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return added.Count;
    }

    /// <inheritdoc />
    public async Task<AuditChainHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = ReadHeadSql;
        var (sequence, hash) = await ReadHeadAsync(command, cancellationToken).ConfigureAwait(false);
        return new AuditChainHead(sequence, hash, sequence == 0 ? 0 : 1);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(AuditFilter filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        BuildSelect(command, filter, afterSequence, limit);

        var records = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(ReadRecord(reader));
        }

        return records;
    }

    /// <summary>
    /// The page query: every filter is an equality or range on an indexed column, and the keyset on the sequence keeps
    /// each page a seek, so a report reads its own rows only.
    /// </summary>
    internal static void BuildSelect(DbCommand command, AuditFilter filter, long afterSequence, int limit)
    {
        // A time window alone: "+seq" keeps the planner from walking the whole table in sequence order (the key) and
        // filtering on time; it seeks the time index and sorts the window instead.
        var timeOnly = (filter.From is not null || filter.To is not null)
            && filter.PatientId is null && filter.ActorId is null && filter.ActorEstablishmentId is null;
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_records WHERE {(timeOnly ? "+seq" : "seq")} > @after");
        Add(command, "@after", afterSequence);
        if (filter.PatientId is not null) Where(sql, command, "patient_id", filter.PatientId);
        if (filter.ActorId is not null) Where(sql, command, "actor_id", filter.ActorId);
        if (filter.ActorEstablishmentId is not null) Where(sql, command, "actor_est", filter.ActorEstablishmentId);
        if (filter.From is { } from)
        {
            sql.Append(" AND ts >= @from");
            Add(command, "@from", from.UtcTicks);
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND ts < @to");
            Add(command, "@to", to.UtcTicks);
        }

        if (filter.Actions.Count > 0)
        {
            sql.Append(" AND action IN (")
                .AppendJoin(',', filter.Actions.Distinct().Select(a => ((int)a).ToString(CultureInfo.InvariantCulture)))
                .Append(')');
        }

        if (filter.OnlyRequiringReview) sql.Append(" AND review = 1");
        sql.Append(" ORDER BY seq LIMIT @limit");
        Add(command, "@limit", limit);
        command.CommandText = sql.ToString();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _initialize.Dispose();
        _appending.Dispose();
        GC.SuppressFinalize(this);
        await DisposeCoreAsync().ConfigureAwait(false);
    }

    /// <summary>Releases pooled connections.</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private static AuditEvent Sanitize(AuditEvent e) =>
        e with { Detail = AuditDetailScrubber.Scrub(e.Detail), Timestamp = new DateTimeOffset(e.Timestamp.UtcTicks, TimeSpan.Zero) };

    /// <summary>The chain's end, read by <paramref name="command"/> (<see cref="ReadHeadSql"/>, locking inside an append or import).</summary>
    private static async Task<(long Sequence, string Hash)> ReadHeadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("audit_head has no row: the audit schema was not created");
        }

        return (reader.GetInt64(0), reader.GetString(1));
    }

    private static async Task WriteHeadAsync(WriterConnection writer, DbTransaction transaction, long sequence, string hash, CancellationToken cancellationToken)
    {
        var command = writer.Command(transaction, WriteHeadSql, "@seq", "@hash");
        command.Parameters[0].Value = sequence;
        command.Parameters[1].Value = hash;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whole statements of <see cref="RowsPerInsert"/> rows, the rest row by row: two statement shapes, each prepared once per connection.</summary>
    private static async Task InsertAsync(WriterConnection writer, DbTransaction transaction, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        var offset = 0;
        for (; records.Count - offset >= RowsPerInsert; offset += RowsPerInsert)
        {
            await ExecuteInsertAsync(writer.Command(transaction, InsertMany, InsertManyParameters), records, offset, cancellationToken).ConfigureAwait(false);
        }

        for (; offset < records.Count; offset++)
        {
            await ExecuteInsertAsync(writer.Command(transaction, InsertOne, InsertOneParameters), records, offset, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteInsertAsync(DbCommand command, IReadOnlyList<AuditRecord> records, int offset, CancellationToken cancellationToken)
    {
        var rows = command.Parameters.Count / ValuesPerRow;
        for (var i = 0; i < rows; i++)
        {
            var r = records[offset + i];
            var e = r.Event;
            object?[] values =
            [
                r.Sequence, e.Timestamp.UtcTicks, (int)e.Action, (int)e.Outcome, e.ActorId, e.ActorRpps, e.ActorEstablishmentId,
                e.ActorRoles, e.Source, e.PatientId, JsonSerializer.Serialize(e.StudyUids, AuditStoreJson.Default.IReadOnlyListString), e.Detail,
                e.RequiresReview ? 1 : 0, r.PreviousHash, r.Hash,
            ];
            for (var v = 0; v < ValuesPerRow; v++)
            {
                command.Parameters[(i * ValuesPerRow) + v].Value = values[v] ?? DBNull.Value;
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string[] InsertParameterNames(int rows) =>
        [.. Enumerable.Range(0, rows).SelectMany(i => Enumerable.Range(0, ValuesPerRow).Select(v => string.Create(CultureInfo.InvariantCulture, $"@p{i}_{v}")))];

    private static string InsertSql(int rows)
    {
        var names = InsertParameterNames(rows);
        var sql = new StringBuilder($"INSERT INTO audit_records ({Columns}) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            if (i > 0) sql.Append(',');
            sql.Append('(').AppendJoin(',', names.Skip(i * ValuesPerRow).Take(ValuesPerRow)).Append(')');
        }

        return sql.ToString();
    }

    private static AuditRecord ReadRecord(DbDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        Event = new AuditEvent
        {
            Timestamp = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
            Action = (AuditAction)reader.GetInt32(2),
            Outcome = (AuditOutcome)reader.GetInt32(3),
            ActorId = Text(reader, 4),
            ActorRpps = Text(reader, 5),
            ActorEstablishmentId = Text(reader, 6),
            ActorRoles = Text(reader, 7),
            Source = Text(reader, 8),
            PatientId = Text(reader, 9),
            StudyUids = JsonSerializer.Deserialize(reader.GetString(10), AuditStoreJson.Default.IReadOnlyListString) ?? [],
            Detail = Text(reader, 11),
            RequiresReview = reader.GetInt32(12) != 0,
        },
        PreviousHash = reader.GetString(13),
        Hash = reader.GetString(14),
    };

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void Where(StringBuilder sql, DbCommand command, string column, string value)
    {
        var name = "@" + column;
        sql.Append(" AND ").Append(column).Append(" = ").Append(name);
        Add(command, name, value);
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>Source-generated JSON for the study UID column.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuditStoreJson : System.Text.Json.Serialization.JsonSerializerContext;
