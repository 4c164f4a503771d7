using System.Data.Common;
using System.Globalization;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// Versioned changes to the query index schema, shared by SQLite and PostgreSQL (plain <c>ALTER TABLE</c>), plus a
/// PostgreSQL-only part where a change has no SQLite counterpart (partitioning, see <see cref="InstancePartitioning"/>). Version 1
/// is the base schema (<see cref="BaseSchema"/>), created with <c>CREATE TABLE IF NOT EXISTS</c>; every later version runs once
/// per database, in order, inside the caller's transaction, and is recorded in <see cref="Table"/>. So an index created by
/// an earlier release gets the new columns when the silo starts on it. Existing rows keep NULL in an added column until
/// their instance is indexed again (a re-send, a reconciliation or an identity move re-records it).
/// </summary>
internal static class IndexSchemaMigrations
{
    /// <summary>Table recording the versions applied (one row per version).</summary>
    public const string Table = "index_schema_migrations";

    /// <summary>
    /// Version 1, the base schema, created with <c>CREATE … IF NOT EXISTS</c> on every start: the same tables on both
    /// engines, which differ in their keys (SQLite's rowid, PostgreSQL's 64-bit identity) and, on PostgreSQL, in the
    /// pattern-matching operator class of the two indexes that serve prefix wildcards (<c>LIKE 'ab%'</c>; SQLite's GLOB
    /// uses the plain index). Frozen: a change is a new migration below, so old and new databases converge.
    /// </summary>
    public static string BaseSchema(SqlDialect dialect)
    {
        var (key, reference, patternOps, patientIdPattern) = dialect == SqlDialect.Postgres
            ? ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", " text_pattern_ops",
                "\nCREATE INDEX IF NOT EXISTS ix_patients_id_pattern ON patients (patient_id text_pattern_ops);")
            : ("INTEGER PRIMARY KEY", "INTEGER", string.Empty, string.Empty);
        return $"""
        CREATE TABLE IF NOT EXISTS patients (
          patient_key {key},
          patient_id TEXT NOT NULL,
          issuer TEXT NOT NULL DEFAULT '',
          patient_name TEXT,
          patient_name_norm TEXT,
          regional_patient_id TEXT,
          birth_date TEXT,
          sex TEXT,
          UNIQUE (patient_id, issuer));
        CREATE INDEX IF NOT EXISTS ix_patients_name ON patients (patient_name_norm{patternOps});
        CREATE INDEX IF NOT EXISTS ix_patients_regional ON patients (regional_patient_id);{patientIdPattern}
        CREATE TABLE IF NOT EXISTS studies (
          study_key {key},
          study_uid TEXT NOT NULL UNIQUE,
          patient_key {reference} NOT NULL,
          study_date TEXT,
          study_time TEXT,
          accession_number TEXT,
          study_id TEXT,
          study_description TEXT,
          referring_physician TEXT,
          referring_physician_norm TEXT,
          establishment_id TEXT NOT NULL,
          modalities TEXT,
          num_series INTEGER NOT NULL DEFAULT 0,
          num_instances INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_studies_patient ON studies (patient_key);
        CREATE INDEX IF NOT EXISTS ix_studies_date ON studies (study_date);
        CREATE INDEX IF NOT EXISTS ix_studies_accession ON studies (accession_number);
        CREATE INDEX IF NOT EXISTS ix_studies_establishment ON studies (establishment_id);
        CREATE TABLE IF NOT EXISTS series (
          series_key {key},
          series_uid TEXT NOT NULL UNIQUE,
          study_key {reference} NOT NULL,
          modality TEXT,
          series_number INTEGER,
          series_description TEXT,
          body_part TEXT,
          num_instances INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_series_study ON series (study_key, modality);
        CREATE TABLE IF NOT EXISTS instances (
          instance_key {key},
          sop_instance_uid TEXT NOT NULL UNIQUE,
          series_key {reference} NOT NULL,
          sop_class_uid TEXT NOT NULL,
          instance_number INTEGER,
          transfer_syntax TEXT,
          number_of_frames INTEGER,
          pixel_rows INTEGER,
          pixel_columns INTEGER,
          status TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_instances_series ON instances (series_key);
        """;
    }

    /// <summary>The migrations after the base schema, in version order.</summary>
    public static IReadOnlyList<IndexSchemaMigration> All { get; } =
    [
        new(2, "QIDO-RS return keys: Specific Character Set and Timezone Offset From UTC (each level), Performed Procedure Step Start Date/Time (series), Bits Allocated (instance)", """
            ALTER TABLE studies ADD COLUMN specific_character_set TEXT;
            ALTER TABLE studies ADD COLUMN timezone_offset TEXT;
            ALTER TABLE series ADD COLUMN specific_character_set TEXT;
            ALTER TABLE series ADD COLUMN timezone_offset TEXT;
            ALTER TABLE series ADD COLUMN pps_start_date TEXT;
            ALTER TABLE series ADD COLUMN pps_start_time TEXT;
            ALTER TABLE instances ADD COLUMN specific_character_set TEXT;
            ALTER TABLE instances ADD COLUMN timezone_offset TEXT;
            ALTER TABLE instances ADD COLUMN bits_allocated INTEGER;
            CREATE INDEX IF NOT EXISTS ix_series_pps_date ON series (pps_start_date);
            """),
        // ix_studies_date is re-created under its own name, so the base schema's CREATE INDEX IF NOT EXISTS leaves it be.
        new(3, "Twenty years of a region: study dates indexed with the study key (date searches read their page in order), a (modality, study) index for ModalitiesInStudy; PostgreSQL: the instance table hash-partitioned on its SOP Instance UID", """
            DROP INDEX IF EXISTS ix_studies_date;
            CREATE INDEX ix_studies_date ON studies (study_date, study_key);
            CREATE INDEX IF NOT EXISTS ix_series_modality ON series (modality, study_key);
            """,
            InstancePartitioning.MigrationSql),
        // Both indexes are re-created under their own names (the base schema's CREATE INDEX IF NOT EXISTS leaves them be);
        // on a regional index this sorts the study table twice inside the start-up transaction (minutes at 50 M studies).
        new(4, "Twenty years of a region: an establishment's studies indexed by date (an establishment user's search splits its visibility into an establishment branch and a regional-patient branch), study modalities in the date index (modality-plus-date searches filter inside the index)", """
            DROP INDEX IF EXISTS ix_studies_establishment;
            CREATE INDEX ix_studies_establishment ON studies (establishment_id, study_date, study_key);
            DROP INDEX IF EXISTS ix_studies_date;
            CREATE INDEX ix_studies_date ON studies (study_date, study_key, modalities);
            """),
        new(5, "Deferred durability of the ingest's inline rows: a one-row table a durability barrier writes (a commit that writes nothing flushes nothing)", """
            CREATE TABLE IF NOT EXISTS index_durability (id INTEGER PRIMARY KEY, flushed_at BIGINT NOT NULL);
            """),
        new(6, "The durability barrier's row from the start: SQLite's PRAGMA optimize takes a table that never held a row for one never analyzed, at every statistics check", """
            INSERT INTO index_durability (id, flushed_at) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
            """),
        // Re-created under its own name, as in 3 and 4 (one sort of the study table at start: a minute or two at 50 M).
        new(7, "Twenty years of a region: a patient's studies indexed with their establishment, so the per-patient count of visible studies an establishment user's search returns reads the index alone (no study row per study)", """
            DROP INDEX IF EXISTS ix_studies_patient;
            CREATE INDEX ix_studies_patient ON studies (patient_key, establishment_id);
            """),
    ];

    /// <summary>The newest version (what a fully migrated database records).</summary>
    public static int Latest => All[^1].Version;

    /// <summary>Applies the migrations <paramref name="connection"/>'s database lacks; the caller serializes concurrent callers and commits.</summary>
    public static async Task<int> ApplyAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {Table} (version INTEGER PRIMARY KEY, description TEXT NOT NULL)", cancellationToken).ConfigureAwait(false);
        var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        foreach (var migration in All.Where(m => m.Version > current))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            if (dialect == SqlDialect.Postgres && migration.PostgresSql is { } postgres)
            {
                await ExecuteAsync(connection, transaction, postgres, cancellationToken).ConfigureAwait(false);
            }

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = $"INSERT INTO {Table} (version, description) VALUES (@version, @description)";
            AddParameter(record, "@version", (long)migration.Version);
            AddParameter(record, "@description", migration.Description);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            current = migration.Version;
        }

        return current;
    }

    /// <summary>The version recorded in the database (1 when none is: the base schema).</summary>
    public static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COALESCE(MAX(version), 1) FROM {Table}";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;

        // A migration building an index on a regional database takes minutes (ix_studies_date at 50 M studies): the
        // connection's default command timeout (Npgsql: 30 s) would abort every start-up on it.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>One schema version: its number, what it adds, its SQL (valid on SQLite and PostgreSQL) and what PostgreSQL runs after it.</summary>
internal sealed record IndexSchemaMigration(int Version, string Description, string Sql, string? PostgresSql = null);
