using System.Data.Common;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The write statements (shared SQL: <c>INSERT … ON CONFLICT … RETURNING</c> works on SQLite ≥ 3.35 and PostgreSQL),
/// run inside the caller's transaction. Patient, study and series rows are upserted once per distinct series of a
/// batch (<see cref="ParentRows"/>: attributes of the last instance win, absent values keep the stored ones), then every
/// instance (<see cref="InstanceRows"/>). A series' instance count moves by the instances the batch adds to it (looked up
/// before the upsert), so re-ingesting is idempotent; a study's counts and modalities are recomputed from its series rows
/// (one row per series). On PostgreSQL each of these steps is one statement per batch. Counts are exact under
/// concurrency: the series/study upserts lock those rows until commit, and the same SOP Instance UID is never stored by
/// two ingests at once (the study grain reserves it).
/// </summary>
internal static class IndexWriter
{
    /// <summary>
    /// Patient rows are keyed by (Patient ID, issuer); an instance without Patient ID gets the key of its provisional
    /// regional patient under this prefix, so unidentified patients never share a row. Queries return it as empty.
    /// </summary>
    public const string UnidentifiedPrefix = "~unidentified~";

    // PostgreSQL: CountStudy and StudyModalities for many studies at once (same values: distinct modalities in order, joined by '\').
    private const string CountStudies = """
        UPDATE studies SET num_series = c.num_series, num_instances = c.num_instances, modalities = c.modalities
        FROM (SELECT k.key,
                (SELECT COUNT(*) FROM series s WHERE s.study_key = k.key) AS num_series,
                (SELECT COALESCE(SUM(s.num_instances), 0) FROM series s WHERE s.study_key = k.key) AS num_instances,
                (SELECT string_agg(DISTINCT s.modality, '\' ORDER BY s.modality) FROM series s
                  WHERE s.study_key = k.key AND s.modality IS NOT NULL AND s.modality <> '') AS modalities
              FROM unnest(@keys::bigint[]) AS k(key)) AS c
        WHERE studies.study_key = c.key
        """;

    // PostgreSQL: AddToSeries for every series of a pass at once.
    private const string AddToAllSeries = """
        UPDATE series SET num_instances = series.num_instances + d.delta
        FROM unnest(@keys::bigint[], @deltas::integer[]) AS d(key, delta) WHERE series.series_key = d.key
        """;

    private const string DropPatientWithoutStudy = "DELETE FROM patients WHERE patient_key = @key AND NOT EXISTS (SELECT 1 FROM studies WHERE studies.patient_key = @key)";

    private const string AddToSeries = "UPDATE series SET num_instances = num_instances + @delta WHERE series_key = @key";

    private const string StudyOfSeries = "SELECT study_key FROM series WHERE series_key = @key";

    private const string StudyModalities = """
        SELECT DISTINCT modality FROM series WHERE study_key = @key AND modality IS NOT NULL AND modality <> '' ORDER BY modality
        """;

    // Modalities apart, and only when they change: they are in the study date index, which an assignment rewrites even
    // to the same value (on SQLite, whose statements run one by one; PostgreSQL's CountStudies writes the row anyway).
    private const string CountStudy = """
        UPDATE studies SET
          num_series = (SELECT COUNT(*) FROM series WHERE series.study_key = @key),
          num_instances = (SELECT COALESCE(SUM(num_instances), 0) FROM series WHERE series.study_key = @key)
        WHERE study_key = @key;
        UPDATE studies SET modalities = @modalities WHERE study_key = @key AND modalities IS NOT @modalities
        """;

    /// <summary>Upserts <paramref name="instances"/> and the rows above them; see <see cref="ParentRows.UpsertAsync"/> for <paramref name="inArrivalOrder"/>.</summary>
    public static async Task UpsertAsync(WriterConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<IndexedInstance> instances, bool inArrivalOrder, CancellationToken cancellationToken)
    {
        var lastOfSeries = new Dictionary<string, IndexedInstance>(StringComparer.Ordinal);
        var seriesOrder = new List<string>();
        foreach (var instance in instances)
        {
            Validate(instance);
            if (lastOfSeries.TryAdd(instance.SeriesInstanceUid, instance))
            {
                seriesOrder.Add(instance.SeriesInstanceUid);
            }
            else
            {
                lastOfSeries[instance.SeriesInstanceUid] = instance;
            }
        }

        var parents = await ParentRows.UpsertAsync(connection, transaction, dialect, seriesOrder.ConvertAll(s => lastOfSeries[s]), inArrivalOrder, cancellationToken).ConfigureAwait(false);
        var touchedStudies = parents.Studies;
        foreach (var key in parents.UnidentifiedLeft)
        {
            var drop = connection.Command(transaction, DropPatientWithoutStudy, "@key");
            Bind(drop, key);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var rows = await InstanceRows.UpsertAsync(connection, transaction, dialect, instances, parents.Series, cancellationToken).ConfigureAwait(false);
        var deltas = rows.Added.Where(a => a.Value != 0).OrderBy(a => a.Key).ToArray();
        if (dialect == SqlDialect.Postgres)
        {
            if (deltas.Length > 0)
            {
                var all = connection.Command(transaction, AddToAllSeries, "@keys", "@deltas");
                all.Parameters[0].Value = deltas.Select(d => d.Key).ToArray();
                all.Parameters[1].Value = deltas.Select(d => d.Value).ToArray();
                await all.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var count = connection.Command(transaction, AddToSeries, "@delta", "@key");
            foreach (var (key, delta) in deltas)
            {
                Bind(count, delta, key);
                await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (rows.MovedFrom.Count > 0)
        {
            var studyOf = connection.Command(transaction, StudyOfSeries, "@key");
            foreach (var key in rows.MovedFrom)
            {
                Bind(studyOf, key);
                if (await studyOf.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } studyKey and not DBNull)
                {
                    touchedStudies.Add(Convert.ToInt64(studyKey, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        await RecountStudiesAsync(connection, transaction, dialect, touchedStudies.Order().ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Splits <paramref name="instances"/> into the passes that give the same rows as one pass per instance in that order.
    /// A run of consecutive instances of one series whose patient, study and series attributes are all equal is one pass:
    /// the patient, study and series upserts would write the same values again (a no-op after the first), so only the
    /// instance rows differ, and the pass writes those anyway. Consecutive runs then share a pass while every patient,
    /// study or series row they both write gets the same values from each (<see cref="ParentRows.RowsWritten"/>) and
    /// they name their patient: then the rows come out the same in any order. A run without Patient ID stays alone (it
    /// may keep or leave a provisional patient). A rebuild step of a hundred studies is then a few passes, not one per
    /// series or per instance.
    /// </summary>
    public static IEnumerable<IReadOnlyList<IndexedInstance>> InOrderPasses(IReadOnlyList<IndexedInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var pass = new List<IndexedInstance>();
        var rowsOfPass = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in Runs(instances))
        {
            var identified = !string.IsNullOrWhiteSpace(run[0].PatientId);
            var rows = ParentRows.RowsWritten(run[0]);
            if (pass.Count > 0 && (!identified || rows.Any(r => rowsOfPass.TryGetValue(r.Row, out var values) && values != r.Values)))
            {
                yield return pass;
                pass = [];
                rowsOfPass.Clear();
            }

            pass.AddRange(run);
            foreach (var (row, values) in rows)
            {
                rowsOfPass[row] = values;
            }

            if (!identified)
            {
                yield return pass;
                pass = [];
                rowsOfPass.Clear();
            }
        }

        if (pass.Count > 0)
        {
            yield return pass;
        }
    }

    private static IEnumerable<List<IndexedInstance>> Runs(IReadOnlyList<IndexedInstance> instances)
    {
        var run = new List<IndexedInstance>();
        foreach (var instance in instances)
        {
            if (run.Count > 0 && !SameRowsAbove(run[0], instance))
            {
                yield return run;
                run = [];
            }

            run.Add(instance);
        }

        if (run.Count > 0)
        {
            yield return run;
        }
    }

    // Equal but for the attributes the instance row alone keeps (record equality on the rest: every other property is
    // written to the patient, study or series row, including the character set and timezone they share).
    private static bool SameRowsAbove(IndexedInstance first, IndexedInstance next) =>
        first with
        {
            SopClassUid = next.SopClassUid,
            SopInstanceUid = next.SopInstanceUid,
            InstanceNumber = next.InstanceNumber,
            TransferSyntaxUid = next.TransferSyntaxUid,
            NumberOfFrames = next.NumberOfFrames,
            Rows = next.Rows,
            Columns = next.Columns,
            BitsAllocated = next.BitsAllocated,
            Status = next.Status,
        } == next;

    /// <summary>
    /// A write for the transaction to commit durably when it holds nothing else: both databases flush their log in order,
    /// so its durable commit makes every earlier commit durable too (the lazy ones included).
    /// </summary>
    public static async Task<bool> WriteDurabilityBarrierAsync(WriterConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var barrier = connection.Command(transaction, "INSERT INTO index_durability (id, flushed_at) VALUES (1, @at) ON CONFLICT (id) DO UPDATE SET flushed_at = excluded.flushed_at", "@at");
        barrier.Parameters[0].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await barrier.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<bool> DeleteStudyAsync(WriterConnection connection, DbTransaction transaction, string studyInstanceUid, CancellationToken cancellationToken)
    {
        long studyKey;
        long patientKey;
        var find = connection.Command(transaction, "SELECT study_key, patient_key FROM studies WHERE study_uid = @uid", "@uid");
        Bind(find, studyInstanceUid);
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            studyKey = reader.GetInt64(0);
            patientKey = reader.GetInt64(1);
        }

        string[] deletes =
        [
            "DELETE FROM instances WHERE series_key IN (SELECT series_key FROM series WHERE study_key = @key)",
            "DELETE FROM series WHERE study_key = @key",
            "DELETE FROM studies WHERE study_key = @key",
        ];
        foreach (var sql in deletes)
        {
            var delete = connection.Command(transaction, sql, "@key");
            Bind(delete, studyKey);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var orphan = connection.Command(transaction, "DELETE FROM patients WHERE patient_key = @key AND NOT EXISTS (SELECT 1 FROM studies WHERE studies.patient_key = @key)", "@key");
        Bind(orphan, patientKey);
        await orphan.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<bool> DeleteInstanceAsync(WriterConnection connection, DbTransaction transaction, SqlDialect dialect, string sopInstanceUid, CancellationToken cancellationToken)
    {
        long seriesKey, studyKey, patientKey;
        var find = connection.Command(transaction, """
            SELECT i.series_key, s.study_key, t.patient_key FROM instances i
            JOIN series s ON s.series_key = i.series_key JOIN studies t ON t.study_key = s.study_key
            WHERE i.sop_instance_uid = @uid
            """, "@uid");
        Bind(find, sopInstanceUid);
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            (seriesKey, studyKey, patientKey) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        // Each statement is a no-op unless the row it removes is left empty, so the order keeps counts exact.
        (string Sql, long Key)[] steps =
        [
            ("DELETE FROM instances WHERE sop_instance_uid = @key", 0),
            ("UPDATE series SET num_instances = num_instances - 1 WHERE series_key = @key", seriesKey),
            ("DELETE FROM series WHERE series_key = @key AND NOT EXISTS (SELECT 1 FROM instances WHERE instances.series_key = @key)", seriesKey),
            ("DELETE FROM studies WHERE study_key = @key AND NOT EXISTS (SELECT 1 FROM series WHERE series.study_key = @key)", studyKey),
            ("DELETE FROM patients WHERE patient_key = @key AND NOT EXISTS (SELECT 1 FROM studies WHERE studies.patient_key = @key)", patientKey),
        ];
        foreach (var (sql, key) in steps)
        {
            var command = connection.Command(transaction, sql, "@key");
            if (key == 0)
            {
                Bind(command, sopInstanceUid);
            }
            else
            {
                Bind(command, key);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await RecountStudiesAsync(connection, transaction, dialect, [studyKey], cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task RecountStudiesAsync(WriterConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<long> studyKeys, CancellationToken cancellationToken)
    {
        if (dialect == SqlDialect.Postgres)
        {
            // One statement (one round trip) for every study of the pass.
            var all = connection.Command(transaction, CountStudies, "@keys");
            all.Parameters[0].Value = studyKeys.ToArray();
            await all.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var modalities = connection.Command(transaction, StudyModalities, "@key");
        var count = connection.Command(transaction, CountStudy, "@key", "@modalities");
        foreach (var key in studyKeys)
        {
            Bind(modalities, key);
            var values = new List<string>();
            await using (var reader = await modalities.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    values.Add(reader.GetString(0));
                }
            }

            Bind(count, key, values.Count == 0 ? null : string.Join('\\', values));
            await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string PatientKey(IndexedInstance i) =>
        string.IsNullOrWhiteSpace(i.PatientId) ? UnidentifiedPrefix + i.RegionalPatientId : i.PatientId.Trim();

    // Absent and empty DICOM values are both stored as NULL (so COALESCE keeps a known value).
    internal static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Validate(IndexedInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        // Patient ID is type 2 (may be empty): the ingest gives an unidentified patient a provisional key of its own.
        ArgumentNullException.ThrowIfNull(instance.PatientId, nameof(instance.PatientId));
        if (string.IsNullOrWhiteSpace(instance.PatientId))
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(instance.RegionalPatientId, nameof(instance.RegionalPatientId));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(instance.StudyInstanceUid, nameof(instance.StudyInstanceUid));
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.SeriesInstanceUid, nameof(instance.SeriesInstanceUid));
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.SopInstanceUid, nameof(instance.SopInstanceUid));
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.SopClassUid, nameof(instance.SopClassUid));
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.ProducingEstablishmentId, nameof(instance.ProducingEstablishmentId));
    }

    /// <summary>Binds <paramref name="values"/> to the command's parameters in order (NULL for null, integers as 64-bit).</summary>
    internal static void Bind(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                int n => (long)n,
                var v => v,
            };
        }
    }
}
