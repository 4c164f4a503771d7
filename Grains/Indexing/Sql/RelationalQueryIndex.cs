using System.Data.Common;
using System.Globalization;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// <see cref="IQueryIndex"/> over an ADO.NET database: shared SQL for queries and writes, group-committed writes;
/// subclasses provide connections, the schema and the dialect.
/// </summary>
public abstract class RelationalQueryIndex : IQueryIndex, IAsyncDisposable
{
    private readonly IndexQuerySqlBuilder _builder;
    private readonly GroupCommitQueue _writes;
    private readonly SchemaInitialization _schema;
    private readonly SqlDialect _dialect;
    private int _disposed;

    private protected RelationalQueryIndex(SqlDialect dialect, int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _dialect = dialect;
        _builder = new IndexQuerySqlBuilder(dialect);
        _schema = new SchemaInitialization(CreateSchemaAsync);
        _writes = new GroupCommitQueue(dialect, OpenInitializedAsync, maxBatchSize, AfterCommitAsync);
    }

    /// <summary>Housekeeping on the writer connection after a commit that upserted <paramref name="instances"/> instances.</summary>
    private protected virtual Task AfterCommitAsync(DbConnection connection, int instances, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens a ready-to-use connection (pooled).</summary>
    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Creates tables and indexes if missing.</summary>
    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync(cancellationToken);

    /// <inheritdoc />
    public Task UpsertInstanceAsync(IndexedInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return _writes.EnqueueAsync(IndexWrite.Upsert([instance]), cancellationToken);
    }

    /// <inheritdoc />
    public Task UpsertInstanceLazilyAsync(IndexedInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return _writes.EnqueueAsync(IndexWrite.Upsert([instance], lazily: true), cancellationToken);
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) => _writes.EnqueueAsync(IndexWrite.Barrier(), cancellationToken);

    /// <inheritdoc />
    public Task UpsertInstancesAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return instances.Count == 0 ? Task.CompletedTask : _writes.EnqueueAsync(IndexWrite.Upsert(instances), cancellationToken);
    }

    /// <inheritdoc />
    public async Task UpsertInOrderAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        // Outside the group-commit queue (which merges and sorts a batch): passes in the given order, one durable commit.
        await using var writer = new WriterConnection(OpenInitializedAsync);
        var connection = await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pass in IndexWriter.InOrderPasses(instances))
        {
            await IndexWriter.UpsertAsync(writer, transaction, _dialect, pass, inArrivalOrder: true, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studyInstanceUid);
        return _writes.EnqueueAsync(IndexWrite.Delete(studyInstanceUid), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sopInstanceUid);
        return _writes.EnqueueAsync(IndexWrite.DeleteInstance(sopInstanceUid), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        var statement = _builder.BuildSelect(query);
        if (query.Authorization.IsNothing)
        {
            return [];
        }

        await using var connection = await OpenInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = statement.Text;
        statement.Parameters.ApplyTo(command);
        var rows = new List<IReadOnlyDictionary<uint, string>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new Dictionary<uint, string>(statement.Columns.Count);
            for (var i = 0; i < statement.Columns.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    continue;
                }

                var column = statement.Columns[i];
                var value = column.IsInteger
                    ? Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                    : reader.GetString(i);
                if (value.Length > 0)
                {
                    row[column.Tag] = value;
                }
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        var statement = _builder.BuildCount(query);
        if (query.Authorization.IsNothing)
        {
            return 0;
        }

        await using var connection = await OpenInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = statement.Text;
        statement.Parameters.ApplyTo(command);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<IndexedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studyInstanceUid);
        var query = new IndexQuery(QueryLevel.Study, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.StudyInstanceUid] = studyInstanceUid },
            Limit = 1,
        };
        var rows = await QueryAsync(query, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var row = rows[0];
        string? Get(uint tag) => row.TryGetValue(tag, out var v) ? v : null;
        int Count(uint tag) => int.Parse(Get(tag) ?? "0", CultureInfo.InvariantCulture);
        return new IndexedStudy
        {
            StudyInstanceUid = studyInstanceUid,
            PatientId = Get(IndexTags.PatientId) ?? string.Empty,
            IssuerOfPatientId = Get(IndexTags.IssuerOfPatientId),
            RegionalPatientId = Get(IndexTags.RegionalPatientId),
            PatientName = Get(IndexTags.PatientName),
            PatientBirthDate = Get(IndexTags.PatientBirthDate),
            PatientSex = Get(IndexTags.PatientSex),
            StudyDate = Get(IndexTags.StudyDate),
            StudyTime = Get(IndexTags.StudyTime),
            AccessionNumber = Get(IndexTags.AccessionNumber),
            StudyId = Get(IndexTags.StudyId),
            StudyDescription = Get(IndexTags.StudyDescription),
            ReferringPhysicianName = Get(IndexTags.ReferringPhysicianName),
            ProducingEstablishmentId = Get(IndexTags.ProducingEstablishmentId) ?? string.Empty,
            ModalitiesInStudy = Get(IndexTags.ModalitiesInStudy)?.Split('\\') ?? [],
            NumberOfSeries = Count(IndexTags.NumberOfStudyRelatedSeries),
            NumberOfInstances = Count(IndexTags.NumberOfStudyRelatedInstances),
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> IndexedInstancesAsync(IReadOnlyCollection<string> sopInstanceUids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sopInstanceUids);
        var found = new HashSet<string>(StringComparer.Ordinal);
        await ReadByUidsAsync(sopInstanceUids, "SELECT sop_instance_uid FROM instances WHERE sop_instance_uid IN ({0})", reader => found.Add(reader.GetString(0)), cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> StudyPatientsAsync(IReadOnlyCollection<string> studyInstanceUids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(studyInstanceUids);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReadByUidsAsync(
            studyInstanceUids,
            "SELECT s.study_uid, p.regional_patient_id FROM studies s JOIN patients p ON p.patient_key = s.patient_key WHERE s.study_uid IN ({0}) AND p.regional_patient_id <> ''",
            reader => found[reader.GetString(0)] = reader.GetString(1),
            cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Runs <paramref name="sql"/> (its <c>{0}</c> the list of <paramref name="uids"/>) and reads every row.</summary>
    private async Task ReadByUidsAsync(IReadOnlyCollection<string> uids, string sql, Action<DbDataReader> read, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return;
        }

        await using var connection = await OpenInitializedAsync(cancellationToken).ConfigureAwait(false);
        // Chunks stay below SQLite's and PostgreSQL's parameter limits.
        foreach (var chunk in uids.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "@p" + i.ToString(CultureInfo.InvariantCulture);
                var parameter = command.CreateParameter();
                parameter.ParameterName = names[i];
                parameter.Value = chunk[i];
                command.Parameters.Add(parameter);
            }

            command.CommandText = string.Format(CultureInfo.InvariantCulture, sql, string.Join(", ", names));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read(reader);
            }
        }
    }

    /// <summary>Drains queued writes and releases resources.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writes.DisposeAsync().ConfigureAwait(false);
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases subclass resources after the writes are drained.</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private async Task<DbConnection> OpenInitializedAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }
}
