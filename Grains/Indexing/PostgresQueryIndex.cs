using System.Data.Common;
using Mirc.Grains.Indexing.Sql;
using Npgsql;

namespace Mirc.Grains.Indexing;

/// <summary>
/// Query index in a shared PostgreSQL database (cluster mode: every silo writes and reads the same tables);
/// each silo group-commits its own concurrent writes (see <see cref="RelationalQueryIndex"/>).
/// </summary>
public sealed class PostgresQueryIndex : RelationalQueryIndex
{
    // Advisory lock id serializing schema creation when several silos start together.
    private const long SchemaLockId = 0x4D495243;

    // Version 1 of the schema; later columns come from IndexSchemaMigrations (so old and new databases converge).
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS patients (
          patient_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          patient_id TEXT NOT NULL,
          issuer TEXT NOT NULL DEFAULT '',
          patient_name TEXT,
          patient_name_norm TEXT,
          regional_patient_id TEXT,
          birth_date TEXT,
          sex TEXT,
          UNIQUE (patient_id, issuer));
        CREATE INDEX IF NOT EXISTS ix_patients_name ON patients (patient_name_norm text_pattern_ops);
        CREATE INDEX IF NOT EXISTS ix_patients_regional ON patients (regional_patient_id);
        CREATE INDEX IF NOT EXISTS ix_patients_id_pattern ON patients (patient_id text_pattern_ops);
        CREATE TABLE IF NOT EXISTS studies (
          study_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          study_uid TEXT NOT NULL UNIQUE,
          patient_key BIGINT NOT NULL,
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
          series_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          series_uid TEXT NOT NULL UNIQUE,
          study_key BIGINT NOT NULL,
          modality TEXT,
          series_number INTEGER,
          series_description TEXT,
          body_part TEXT,
          num_instances INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_series_study ON series (study_key, modality);
        CREATE TABLE IF NOT EXISTS instances (
          instance_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          sop_instance_uid TEXT NOT NULL UNIQUE,
          series_key BIGINT NOT NULL,
          sop_class_uid TEXT NOT NULL,
          instance_number INTEGER,
          transfer_syntax TEXT,
          number_of_frames INTEGER,
          pixel_rows INTEGER,
          pixel_columns INTEGER,
          status TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_instances_series ON instances (series_key);
        """;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database of <paramref name="connectionString"/> (the database must exist).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="maxBatchSize">Most instances per group-commit transaction.</param>
    /// <param name="entraId">With Entra ID authentication, the credential whose tokens are the password.</param>
    public PostgresQueryIndex(string connectionString, int maxBatchSize = 1_000, Azure.Core.TokenCredential? entraId = null)
        : base(SqlDialect.Postgres, maxBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The writer repeats a handful of statements per instance: server-side prepared, they skip parse and plan.
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        _dataSource = PostgresDataSources.Create(builder.ConnectionString, entraId);
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresSchema.CreateAsync(
            _dataSource,
            SchemaLockId,
            Schema,
            (connection, transaction, ct) => IndexSchemaMigrations.ApplyAsync(connection, transaction, SqlDialect.Postgres, ct),
            cancellationToken);

    private protected override ValueTask DisposeCoreAsync() => _dataSource.DisposeAsync();
}
