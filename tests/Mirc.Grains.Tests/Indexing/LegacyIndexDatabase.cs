using Mirc.Grains.Indexing;
using Xunit;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>
/// An index database as the release before schema versioning left it: its DDL (copied here on purpose, the product's
/// base schema may change) and one stored instance, so a test can open it with the current code and see it migrated.
/// </summary>
internal static class LegacyIndexDatabase
{
    /// <summary>The SQLite DDL of 2026-12-02 (no versions table, no character set / timezone / PPS / bits allocated columns).</summary>
    public const string SqliteSchema = """
        CREATE TABLE IF NOT EXISTS patients (
          patient_key INTEGER PRIMARY KEY,
          patient_id TEXT NOT NULL,
          issuer TEXT NOT NULL DEFAULT '',
          patient_name TEXT,
          patient_name_norm TEXT,
          regional_patient_id TEXT,
          birth_date TEXT,
          sex TEXT,
          UNIQUE (patient_id, issuer));
        CREATE INDEX IF NOT EXISTS ix_patients_name ON patients (patient_name_norm);
        CREATE INDEX IF NOT EXISTS ix_patients_regional ON patients (regional_patient_id);
        CREATE TABLE IF NOT EXISTS studies (
          study_key INTEGER PRIMARY KEY,
          study_uid TEXT NOT NULL UNIQUE,
          patient_key INTEGER NOT NULL,
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
          series_key INTEGER PRIMARY KEY,
          series_uid TEXT NOT NULL UNIQUE,
          study_key INTEGER NOT NULL,
          modality TEXT,
          series_number INTEGER,
          series_description TEXT,
          body_part TEXT,
          num_instances INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_series_study ON series (study_key, modality);
        CREATE TABLE IF NOT EXISTS instances (
          instance_key INTEGER PRIMARY KEY,
          sop_instance_uid TEXT NOT NULL UNIQUE,
          series_key INTEGER NOT NULL,
          sop_class_uid TEXT NOT NULL,
          instance_number INTEGER,
          transfer_syntax TEXT,
          number_of_frames INTEGER,
          pixel_rows INTEGER,
          pixel_columns INTEGER,
          status TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_instances_series ON instances (series_key);
        
        """;

    /// <summary>The PostgreSQL DDL of 2026-12-02.</summary>
    public const string PostgresSchema = """
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

    /// <summary>One instance written by the old release (shared SQL; keys taken from the rows, not given).</summary>
    public const string Seed = """
        INSERT INTO patients (patient_id, issuer, patient_name, patient_name_norm, birth_date, sex) VALUES ('OLD-1', 'HOSP', 'Old^Patient', 'OLD^PATIENT', '19600101', 'F');
        INSERT INTO studies (study_uid, patient_key, study_date, study_time, establishment_id, modalities, num_series, num_instances)
          SELECT '7.1', patient_key, '20190101', '090000', 'EST-A', 'CT', 1, 1 FROM patients WHERE patient_id = 'OLD-1';
        INSERT INTO series (series_uid, study_key, modality, series_number, num_instances) SELECT '7.1.1', study_key, 'CT', 1, 1 FROM studies WHERE study_uid = '7.1';
        INSERT INTO instances (sop_instance_uid, series_key, sop_class_uid, instance_number, pixel_rows, status)
          SELECT '7.1.1.1', series_key, '1.2.840.10008.5.1.4.1.1.2', 1, 256, 'ONLINE' FROM series WHERE series_uid = '7.1.1';
        """;

    /// <summary>
    /// What a migrated legacy database must do: serve the old rows at every level (new attributes absent: NULL until
    /// re-indexed), match on the new keys, and take new instances with the new attributes next to the old ones.
    /// </summary>
    public static async Task AssertMigratedAndUsableAsync(IQueryIndex index, CancellationToken ct)
    {
        var all = IndexAuthorization.All;
        var study = Assert.Single(await index.QueryAsync(new IndexQuery(QueryLevel.Study, all) { Matches = new Dictionary<uint, string> { [IndexTags.PatientId] = "OLD-1" } }, ct));
        Assert.Equal("7.1", study[IndexTags.StudyInstanceUid]);
        Assert.Equal("Old^Patient", study[IndexTags.PatientName]);
        Assert.False(study.ContainsKey(IndexTags.TimezoneOffsetFromUtc));
        var image = Assert.Single(await index.QueryAsync(new IndexQuery(QueryLevel.Image, all) { Matches = new Dictionary<uint, string> { [IndexTags.StudyInstanceUid] = "7.1" } }, ct));
        Assert.Equal("256", image[IndexTags.Rows]);
        Assert.False(image.ContainsKey(IndexTags.BitsAllocated));

        // A new instance of the same series, written by the current code, carries the new attributes.
        await index.UpsertInstanceAsync(IndexedInstances.Make("OLD-1", "7.1", "7.1.1", "7.1.1.2", instanceNumber: 2) with
        {
            BitsAllocated = 16, TimezoneOffsetFromUtc = "-0500", PerformedProcedureStepStartDate = "20190101", SpecificCharacterSet = "ISO_IR 100",
        }, ct);
        var series = Assert.Single(await index.QueryAsync(new IndexQuery(QueryLevel.Series, all)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.PerformedProcedureStepStartDate] = "20190101-20191231" },
        }, ct));
        Assert.Equal("7.1.1", series[IndexTags.SeriesInstanceUid]);
        Assert.Equal("2", series[IndexTags.NumberOfSeriesRelatedInstances]);
        Assert.Equal("-0500", series[IndexTags.TimezoneOffsetFromUtc]);
        var added = Assert.Single(await index.QueryAsync(new IndexQuery(QueryLevel.Image, all) { Matches = new Dictionary<uint, string> { [IndexTags.SopInstanceUid] = "7.1.1.2" } }, ct));
        Assert.Equal("16", added[IndexTags.BitsAllocated]);
        Assert.Equal("ISO_IR 100", added[IndexTags.SpecificCharacterSet]);
        Assert.Equal(2, (await index.GetStudyAsync("7.1", ct))!.NumberOfInstances);
    }
}
