using System.Data.Common;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The patient, study and series rows above the instances of one <see cref="IndexWriter"/> pass. One upsert of each per
/// distinct series, in key order (patient, issuer, study, series — so concurrent group-committing writers never
/// deadlock) or, for the in-order writer, in arrival order: attributes of the later series win, absent values keep the
/// stored ones. On SQLite, in that order, statement by
/// statement. On PostgreSQL, where each statement is a round trip, four statements whatever the pass holds: the studies'
/// current patients, then the patients, studies and series from arrays — their values folded beforehand in that same
/// order, which gives the rows the statement-by-statement upserts give — plus, per level, one lookup of the keys of the
/// rows left unchanged (<see cref="ConflictColumns"/>).
/// </summary>
internal static class ParentRows
{
    private const string PatientColumns = "patient_id, issuer, patient_name, patient_name_norm, regional_patient_id, birth_date, sex";

    // Each row's upsert, as a table of facts: the columns that follow the latest instance, and those that keep their stored
    // value when an instance has none (COALESCE). Updated only when a value changes (one CT slice on SQLite: 14.7 WAL
    // pages → 5.7, measured on a copy of this schema); an unchanged row's key comes from a lookup.
    private static readonly ConflictColumns PatientConflict = new("patients", "patient_id, issuer", [],
        ["patient_name", "patient_name_norm", "regional_patient_id", "birth_date", "sex"]);

    private const string StudyColumns = """
        study_uid, patient_key, study_date, study_time, accession_number, study_id, study_description,
        referring_physician, referring_physician_norm, establishment_id, specific_character_set, timezone_offset
        """;

    private static readonly ConflictColumns StudyConflict = new("studies", "study_uid", ["patient_key", "establishment_id"],
        ["study_date", "study_time", "accession_number", "study_id", "study_description", "referring_physician", "referring_physician_norm",
         "specific_character_set", "timezone_offset"]);

    private const string SeriesColumns = """
        series_uid, study_key, modality, series_number, series_description, body_part, pps_start_date, pps_start_time,
        specific_character_set, timezone_offset
        """;

    private static readonly ConflictColumns SeriesConflict = new("series", "series_uid", ["study_key"],
        ["modality", "series_number", "series_description", "body_part", "pps_start_date", "pps_start_time", "specific_character_set", "timezone_offset"]);

    private static readonly string UpsertPatient = $"""
        INSERT INTO patients ({PatientColumns}) VALUES (@pid, @issuer, @name, @name_norm, @regional, @birth, @sex)
        {PatientConflict.WhenChanged}
        RETURNING patient_key
        """;

    private const string PatientKeyOf = "SELECT patient_key FROM patients WHERE patient_id = @pid AND issuer = @issuer";

    private static readonly string UpsertStudy = $"""
        INSERT INTO studies ({StudyColumns})
        VALUES (@uid, @patient, @date, @time, @accession, @study_id, @description, @referring, @referring_norm, @establishment, @charset, @timezone)
        {StudyConflict.WhenChanged}
        RETURNING study_key
        """;

    private const string StudyKeyOf = "SELECT study_key FROM studies WHERE study_uid = @uid";

    private static readonly string UpsertSeries = $"""
        INSERT INTO series ({SeriesColumns}) VALUES (@uid, @study, @modality, @number, @description, @body_part, @pps_date, @pps_time, @charset, @timezone)
        {SeriesConflict.WhenChanged}
        RETURNING series_key
        """;

    private const string SeriesKeyOf = "SELECT series_key FROM series WHERE series_uid = @uid";

    private const string StudyPatient = """
        SELECT st.patient_key, p.patient_id FROM studies st JOIN patients p ON p.patient_key = st.patient_key WHERE st.study_uid = @uid
        """;

    // One index probe per study (as InstanceRows' lookup: never a hash join over the whole table).
    private const string StudyPatients = """
        SELECT u.uid, x.patient_key, x.patient_id FROM unnest(@uids::text[]) AS u(uid)
        CROSS JOIN LATERAL (SELECT st.patient_key, p.patient_id FROM studies st JOIN patients p ON p.patient_key = st.patient_key
                            WHERE st.study_uid = u.uid LIMIT 1) AS x
        """;

    // PostgreSQL: the keys of the rows a batch upsert left unchanged. A statement of its own (read committed: it sees a
    // row another silo inserted after the upsert's snapshot was taken, which the upsert met as a conflict).
    private const string PatientKeys = """
        SELECT p.patient_id, p.issuer, p.patient_key FROM unnest(@pid::text[], @issuer::text[]) AS u(pid, issuer)
        JOIN patients p ON p.patient_id = u.pid AND p.issuer = u.issuer
        """;

    private const string StudyKeys = "SELECT s.study_uid, s.study_key FROM unnest(@uids::text[]) AS u(uid) JOIN studies s ON s.study_uid = u.uid";

    private const string SeriesKeys = "SELECT s.series_uid, s.series_key FROM unnest(@uids::text[]) AS u(uid) JOIN series s ON s.series_uid = u.uid";

    // Rows in the arrays' order (WITH ORDINALITY): the order of the statement-by-statement path, which decides both the
    // order rows are locked in and the order new rows get their keys.
    private static readonly string UpsertPatients = $"""
        INSERT INTO patients ({PatientColumns})
        SELECT {PatientColumns} FROM unnest(@pid::text[], @issuer::text[], @name::text[], @name_norm::text[], @regional::text[], @birth::text[], @sex::text[])
          WITH ORDINALITY AS u({PatientColumns}, ord)
        ORDER BY ord
        {PatientConflict.WhenChanged}
        RETURNING patient_id, issuer, patient_key
        """;

    private static readonly string UpsertStudies = $"""
        INSERT INTO studies ({StudyColumns})
        SELECT {StudyColumns} FROM unnest(@uid::text[], @patient::bigint[], @date::text[], @time::text[], @accession::text[], @study_id::text[], @description::text[],
                             @referring::text[], @referring_norm::text[], @establishment::text[], @charset::text[], @timezone::text[])
          WITH ORDINALITY AS u({StudyColumns}, ord)
        ORDER BY ord
        {StudyConflict.WhenChanged}
        RETURNING study_uid, study_key
        """;

    private static readonly string UpsertAllSeries = $"""
        INSERT INTO series ({SeriesColumns})
        SELECT {SeriesColumns} FROM unnest(@uid::text[], @study::bigint[], @modality::text[], @number::integer[], @description::text[], @body_part::text[],
                             @pps_date::text[], @pps_time::text[], @charset::text[], @timezone::text[])
          WITH ORDINALITY AS u({SeriesColumns}, ord)
        ORDER BY ord
        {SeriesConflict.WhenChanged}
        RETURNING series_uid, series_key
        """;

    /// <summary>
    /// Upserts the rows above <paramref name="lastOfSeries"/> (one instance per distinct series, the last of its series,
    /// in arrival order): by key, or with <paramref name="inArrivalOrder"/> in that order — a rebuild's pass of several
    /// disjoint studies gives new rows their keys in feed order, as the ingest did (answers come in key order).
    /// </summary>
    /// <returns>Each series' key, the studies written, and the provisional patients their studies left.</returns>
    public static Task<ParentRowKeys> UpsertAsync(
        WriterConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<IndexedInstance> lastOfSeries, bool inArrivalOrder, CancellationToken cancellationToken)
    {
        var ordered = inArrivalOrder
            ? lastOfSeries.ToList()
            : lastOfSeries
                .OrderBy(IndexWriter.PatientKey, StringComparer.Ordinal)
                .ThenBy(i => i.IssuerOfPatientId, StringComparer.Ordinal)
                .ThenBy(i => i.StudyInstanceUid, StringComparer.Ordinal)
                .ThenBy(i => i.SeriesInstanceUid, StringComparer.Ordinal)
                .ToList();
        return dialect == SqlDialect.Postgres
            ? UpsertAllAsync(connection, transaction, ordered, cancellationToken)
            : UpsertEachAsync(connection, transaction, ordered, cancellationToken);
    }

    private static async Task<ParentRowKeys> UpsertEachAsync(WriterConnection connection, DbTransaction transaction, List<IndexedInstance> ordered, CancellationToken cancellationToken)
    {
        var keys = new ParentRowKeys();
        var find = connection.Command(transaction, StudyPatient, "@uid");
        var patient = connection.Command(transaction, UpsertPatient, "@pid", "@issuer", "@name", "@name_norm", "@regional", "@birth", "@sex");
        var study = connection.Command(transaction, UpsertStudy, "@uid", "@patient", "@date", "@time", "@accession", "@study_id", "@description", "@referring", "@referring_norm", "@establishment", "@charset", "@timezone");
        var series = connection.Command(transaction, UpsertSeries, "@uid", "@study", "@modality", "@number", "@description", "@body_part", "@pps_date", "@pps_time", "@charset", "@timezone");
        var patientKeyOf = connection.Command(transaction, PatientKeyOf, "@pid", "@issuer");
        var studyKeyOf = connection.Command(transaction, StudyKeyOf, "@uid");
        var seriesKeyOf = connection.Command(transaction, SeriesKeyOf, "@uid");
        foreach (var i in ordered)
        {
            (long Key, string PatientId)? previous = null;
            IndexWriter.Bind(find, i.StudyInstanceUid);
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    previous = (reader.GetInt64(0), reader.GetString(1));
                }
            }

            var patientKey = string.IsNullOrWhiteSpace(i.PatientId) && previous is { } known
                // An instance without Patient ID never re-attributes its study (e.g. one joining an identified study).
                ? known.Key
                : await UpsertedKey(patient, PatientValues.Of(i).Row, patientKeyOf, cancellationToken).ConfigureAwait(false);
            if (previous is { } left && left.Key != patientKey && left.PatientId.StartsWith(IndexWriter.UnidentifiedPrefix, StringComparison.Ordinal))
            {
                // The study leaves its provisional patient (reconciled): that row has no other study.
                keys.UnidentifiedLeft.Add(left.Key);
            }

            var studyKey = await UpsertedKey(study, [i.StudyInstanceUid, patientKey, .. StudyValues.Of(i).Row], studyKeyOf, cancellationToken).ConfigureAwait(false);
            keys.Series[i.SeriesInstanceUid] = await UpsertedKey(series, [i.SeriesInstanceUid, studyKey, .. SeriesValues(i)], seriesKeyOf, cancellationToken).ConfigureAwait(false);
            keys.Studies.Add(studyKey);
        }

        return keys;
    }

    private static async Task<ParentRowKeys> UpsertAllAsync(WriterConnection connection, DbTransaction transaction, List<IndexedInstance> ordered, CancellationToken cancellationToken)
    {
        // The studies' patients as stored before the pass.
        var stored = new Dictionary<string, PatientRef>(StringComparer.Ordinal);
        var find = connection.Command(transaction, StudyPatients, "@uids");
        find.Parameters[0].Value = ordered.Select(i => i.StudyInstanceUid).Distinct(StringComparer.Ordinal).ToArray();
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored[reader.GetString(0)] = new PatientRef(reader.GetString(2), null, reader.GetInt64(1));
            }
        }

        // Walk the series in the statement-by-statement order, folding each row's values as its upserts would.
        var patients = new Dictionary<(string Id, string Issuer), PatientValues>();
        var patientOrder = new List<(string Id, string Issuer)>();
        var studies = new Dictionary<string, (PatientRef Patient, StudyValues Values)>(StringComparer.Ordinal);
        var studyOrder = new List<string>();
        var moves = new List<(PatientRef From, PatientRef To)>();
        foreach (var i in ordered)
        {
            var previous = studies.TryGetValue(i.StudyInstanceUid, out var seen) ? seen.Patient : stored.GetValueOrDefault(i.StudyInstanceUid);
            PatientRef patient;
            if (string.IsNullOrWhiteSpace(i.PatientId) && previous is not null)
            {
                patient = previous;
            }
            else
            {
                var values = PatientValues.Of(i);
                if (patients.TryGetValue((values.Id, values.Issuer), out var earlier))
                {
                    patients[(values.Id, values.Issuer)] = earlier.Then(values);
                }
                else
                {
                    patients.Add((values.Id, values.Issuer), values);
                    patientOrder.Add((values.Id, values.Issuer));
                }

                patient = new PatientRef(values.Id, values.Issuer, null);
            }

            if (previous is not null && previous.Id.StartsWith(IndexWriter.UnidentifiedPrefix, StringComparison.Ordinal))
            {
                moves.Add((previous, patient));
            }

            var study = StudyValues.Of(i);
            if (seen.Values is null)
            {
                studyOrder.Add(i.StudyInstanceUid);
            }

            studies[i.StudyInstanceUid] = (patient, seen.Values is { } before ? before.Then(study) : study);
        }

        var patientKeys = new Dictionary<(string Id, string Issuer), long>();
        var upsertPatients = connection.Command(transaction, UpsertPatients, "@pid", "@issuer", "@name", "@name_norm", "@regional", "@birth", "@sex");
        await foreach (var row in ReadAsync(upsertPatients, Columns(patientOrder.Select(p => patients[p].Row).ToList(), PatientTypes), cancellationToken).ConfigureAwait(false))
        {
            patientKeys[(row.GetString(0), row.GetString(1))] = row.GetInt64(2);
        }

        var unchangedPatients = patientOrder.Where(p => !patientKeys.ContainsKey(p)).ToList();
        if (unchangedPatients.Count > 0)
        {
            var lookup = connection.Command(transaction, PatientKeys, "@pid", "@issuer");
            await foreach (var row in ReadAsync(lookup, [unchangedPatients.Select(p => p.Id).ToArray(), unchangedPatients.Select(p => p.Issuer).ToArray()], cancellationToken).ConfigureAwait(false))
            {
                patientKeys[(row.GetString(0), row.GetString(1))] = row.GetInt64(2);
            }
        }

        long KeyOf(PatientRef p) => p.Key ?? patientKeys[(p.Id, p.Issuer!)];
        var keys = new ParentRowKeys();
        foreach (var (from, to) in moves)
        {
            if (KeyOf(from) is var left && left != KeyOf(to))
            {
                // The study leaves its provisional patient (reconciled): that row has no other study.
                keys.UnidentifiedLeft.Add(left);
            }
        }

        var studyKeys = new Dictionary<string, long>(StringComparer.Ordinal);
        var upsertStudies = connection.Command(transaction, UpsertStudies, "@uid", "@patient", "@date", "@time", "@accession", "@study_id", "@description", "@referring", "@referring_norm", "@establishment", "@charset", "@timezone");
        var studyRows = studyOrder.Select(uid => (object?[])[uid, KeyOf(studies[uid].Patient), .. studies[uid].Values.Row]).ToList();
        await foreach (var row in ReadAsync(upsertStudies, Columns(studyRows, StudyTypes), cancellationToken).ConfigureAwait(false))
        {
            studyKeys[row.GetString(0)] = row.GetInt64(1);
        }

        await LookUpUnchangedAsync(connection, transaction, StudyKeys, studyOrder, studyKeys, cancellationToken).ConfigureAwait(false);

        var upsertSeries = connection.Command(transaction, UpsertAllSeries, "@uid", "@study", "@modality", "@number", "@description", "@body_part", "@pps_date", "@pps_time", "@charset", "@timezone");
        var seriesRows = ordered.Select(i => (object?[])[i.SeriesInstanceUid, studyKeys[i.StudyInstanceUid], .. SeriesValues(i)]).ToList();
        await foreach (var row in ReadAsync(upsertSeries, Columns(seriesRows, SeriesTypes), cancellationToken).ConfigureAwait(false))
        {
            keys.Series[row.GetString(0)] = row.GetInt64(1);
        }

        await LookUpUnchangedAsync(connection, transaction, SeriesKeys, ordered.Select(i => i.SeriesInstanceUid), keys.Series, cancellationToken).ConfigureAwait(false);
        keys.Studies.UnionWith(studyKeys.Values);
        return keys;
    }

    /// <summary>
    /// The patient, study and series rows <paramref name="i"/> writes: each row's identity and the values its upsert
    /// writes there. Two instances whose rows agree on both, or touch other rows, can share a pass in any order.
    /// </summary>
    public static (string Row, string Values)[] RowsWritten(IndexedInstance i)
    {
        var patient = PatientValues.Of(i);
        return
        [
            ("p\0" + patient.Id + "\0" + patient.Issuer, Joined(patient.Row)),
            ("s\0" + i.StudyInstanceUid, patient.Id + "\0" + patient.Issuer + "\0" + Joined(StudyValues.Of(i).Row)),
            ("e\0" + i.SeriesInstanceUid, i.StudyInstanceUid + "\0" + Joined(SeriesValues(i))),
        ];

        static string Joined(object?[] values) => string.Join('\u001f', values.Select(v => v is null ? "\u0000" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static object?[] SeriesValues(IndexedInstance i) =>
    [
        IndexWriter.Text(i.Modality), i.SeriesNumber, IndexWriter.Text(i.SeriesDescription), IndexWriter.Text(i.BodyPartExamined),
        IndexWriter.Text(i.PerformedProcedureStepStartDate), IndexWriter.Text(i.PerformedProcedureStepStartTime),
        IndexWriter.Text(i.SpecificCharacterSet), IndexWriter.Text(i.TimezoneOffsetFromUtc),
    ];

    // Each column's array type, fixed: an auto-prepared statement keeps the parameter types of its first execution, and
    // a later value of another type (an array typed by its values, all NULL one time) is refused by the server (22P03).
    private static readonly Type[] PatientTypes = [.. Enumerable.Repeat(typeof(string), 7)];
    private static readonly Type[] StudyTypes = [typeof(string), typeof(long), .. Enumerable.Repeat(typeof(string), 10)];
    private static readonly Type[] SeriesTypes = [typeof(string), typeof(long), typeof(string), typeof(int), .. Enumerable.Repeat(typeof(string), 6)];

    private static object[] Columns(IReadOnlyList<object?[]> rows, Type[] types)
    {
        var columns = new object[types.Length];
        for (var c = 0; c < types.Length; c++)
        {
            columns[c] = types[c] == typeof(long) ? rows.Select(r => (long)r[c]!).ToArray()
                : types[c] == typeof(int) ? rows.Select(r => (int?)r[c]).ToArray()
                : rows.Select(r => (string?)r[c]).ToArray();
        }

        return columns;
    }

    /// <summary>Adds to <paramref name="keys"/> the key of each of <paramref name="uids"/> its batch upsert did not return.</summary>
    private static async Task LookUpUnchangedAsync(WriterConnection connection, DbTransaction transaction, string sql, IEnumerable<string> uids, Dictionary<string, long> keys, CancellationToken cancellationToken)
    {
        var missing = uids.Where(uid => !keys.ContainsKey(uid)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        await foreach (var row in ReadAsync(connection.Command(transaction, sql, "@uids"), [missing], cancellationToken).ConfigureAwait(false))
        {
            keys[row.GetString(0)] = row.GetInt64(1);
        }
    }

    private static async IAsyncEnumerable<DbDataReader> ReadAsync(DbCommand command, object[] columns, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var c = 0; c < columns.Length; c++)
        {
            command.Parameters[c].Value = columns[c];
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader;
        }
    }

    /// <summary>
    /// The key an upsert returned or, when it changed nothing (<see cref="ConflictColumns.WhenChanged"/>: no row returned),
    /// the stored row's, looked up by the upsert's leading values (the row's unique key).
    /// </summary>
    private static async Task<long> UpsertedKey(DbCommand upsert, object?[] values, DbCommand lookup, CancellationToken cancellationToken)
    {
        IndexWriter.Bind(upsert, values);
        if (await upsert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } key and not DBNull)
        {
            return Convert.ToInt64(key, System.Globalization.CultureInfo.InvariantCulture);
        }

        return await Scalar(lookup, cancellationToken, values[..lookup.Parameters.Count]).ConfigureAwait(false);
    }

    private static async Task<long> Scalar(DbCommand command, CancellationToken cancellationToken, object?[] values)
    {
        IndexWriter.Bind(command, values);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    // A study's patient: stored (its key known) or upserted by this pass (its key known after the patients' upsert).
    private sealed record PatientRef(string Id, string? Issuer, long? Key);

    // A patient row's values as one upsert writes them; Then is a later upsert of the same row (COALESCE).
    private sealed record PatientValues(string Id, string Issuer, string? Name, string? NameNorm, string? Regional, string? Birth, string? Sex)
    {
        public object?[] Row => [Id, Issuer, Name, NameNorm, Regional, Birth, Sex];

        public static PatientValues Of(IndexedInstance i) => new(
            IndexWriter.PatientKey(i), i.IssuerOfPatientId?.Trim() ?? string.Empty, IndexWriter.Text(i.PatientName), PersonNameNormalizer.Normalize(i.PatientName),
            IndexWriter.Text(i.RegionalPatientId), IndexWriter.Text(i.PatientBirthDate), IndexWriter.Text(i.PatientSex));

        public PatientValues Then(PatientValues later) => new(
            Id, Issuer, later.Name ?? Name, later.NameNorm ?? NameNorm, later.Regional ?? Regional, later.Birth ?? Birth, later.Sex ?? Sex);
    }

    // A study row's values but its UID and patient; the establishment follows the latest upsert, the rest COALESCE.
    private sealed record StudyValues(string? Date, string? Time, string? Accession, string? StudyId, string? Description, string? Referring, string? ReferringNorm,
        string Establishment, string? Charset, string? Timezone)
    {
        public object?[] Row => [Date, Time, Accession, StudyId, Description, Referring, ReferringNorm, Establishment, Charset, Timezone];

        public static StudyValues Of(IndexedInstance i) => new(
            IndexWriter.Text(i.StudyDate), IndexWriter.Text(i.StudyTime), IndexWriter.Text(i.AccessionNumber), IndexWriter.Text(i.StudyId),
            IndexWriter.Text(i.StudyDescription), IndexWriter.Text(i.ReferringPhysicianName), PersonNameNormalizer.Normalize(i.ReferringPhysicianName),
            i.ProducingEstablishmentId, IndexWriter.Text(i.SpecificCharacterSet), IndexWriter.Text(i.TimezoneOffsetFromUtc));

        public StudyValues Then(StudyValues later) => new(
            later.Date ?? Date, later.Time ?? Time, later.Accession ?? Accession, later.StudyId ?? StudyId, later.Description ?? Description,
            later.Referring ?? Referring, later.ReferringNorm ?? ReferringNorm, later.Establishment, later.Charset ?? Charset, later.Timezone ?? Timezone);
    }
}

/// <summary>What <see cref="ParentRows"/> wrote: series keys by UID, the studies' keys, provisional patients left.</summary>
internal sealed class ParentRowKeys
{
    public Dictionary<string, long> Series { get; } = new(StringComparer.Ordinal);

    public HashSet<long> Studies { get; } = [];

    public List<long> UnidentifiedLeft { get; } = [];
}
