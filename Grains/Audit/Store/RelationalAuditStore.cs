using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
    private volatile bool _initialized;

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
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (sequence, previous) = await ReadHeadAsync(connection, transaction, LockHeadClause, cancellationToken).ConfigureAwait(false);
        var records = new AuditRecord[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var record = AuditCanonicalForm.Seal(++sequence, Sanitize(events[i]), previous);
            records[i] = record;
            previous = record.Hash;
        }

        await InsertAsync(connection, transaction, records, cancellationToken).ConfigureAwait(false);
        await WriteHeadAsync(connection, transaction, sequence, previous, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AuditChainHead(sequence, previous, sequence == 0 ? 0 : 1);
    }

    /// <inheritdoc />
    public async Task<int> ImportAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (last, lastHash) = await ReadHeadAsync(connection, transaction, LockHeadClause, cancellationToken).ConfigureAwait(false);
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
            await InsertAsync(connection, transaction, added, cancellationToken).ConfigureAwait(false);
            await WriteHeadAsync(connection, transaction, last, lastHash, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return added.Count;
    }

    /// <inheritdoc />
    public async Task<AuditChainHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (sequence, hash) = await ReadHeadAsync(connection, null, string.Empty, cancellationToken).ConfigureAwait(false);
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
    public ValueTask DisposeAsync()
    {
        _initialize.Dispose();
        GC.SuppressFinalize(this);
        return DisposeCoreAsync();
    }

    /// <summary>Releases pooled connections.</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private static AuditEvent Sanitize(AuditEvent e) =>
        e with { Detail = AuditDetailScrubber.Scrub(e.Detail), Timestamp = new DateTimeOffset(e.Timestamp.UtcTicks, TimeSpan.Zero) };

    private static async Task<(long Sequence, string Hash)> ReadHeadAsync(
        DbConnection connection, DbTransaction? transaction, string lockClause, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1" + lockClause;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("audit_head has no row: the audit schema was not created");
        }

        return (reader.GetInt64(0), reader.GetString(1));
    }

    private static async Task WriteHeadAsync(DbConnection connection, DbTransaction transaction, long sequence, string hash, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE audit_head SET last_seq = @seq, last_hash = @hash WHERE id = 1";
        Add(command, "@seq", sequence);
        Add(command, "@hash", hash);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < records.Count; offset += RowsPerInsert)
        {
            var count = Math.Min(RowsPerInsert, records.Count - offset);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO audit_records ({Columns}) VALUES ");
            for (var i = 0; i < count; i++)
            {
                var r = records[offset + i];
                var e = r.Event;
                if (i > 0) sql.Append(',');
                sql.Append('(');
                object?[] values =
                [
                    r.Sequence, e.Timestamp.UtcTicks, (int)e.Action, (int)e.Outcome, e.ActorId, e.ActorRpps, e.ActorEstablishmentId,
                    e.ActorRoles, e.Source, e.PatientId, JsonSerializer.Serialize(e.StudyUids, AuditStoreJson.Default.IReadOnlyListString), e.Detail,
                    e.RequiresReview ? 1 : 0, r.PreviousHash, r.Hash,
                ];
                for (var v = 0; v < values.Length; v++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"@p{i}_{v}");
                    if (v > 0) sql.Append(',');
                    sql.Append(name);
                    Add(command, name, values[v]);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
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
