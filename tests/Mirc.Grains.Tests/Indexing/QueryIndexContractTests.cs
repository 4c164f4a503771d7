using Mirc.Grains.Indexing;
using Xunit;
using static Mirc.Grains.Tests.Indexing.IndexedInstances;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>Behaviour every <see cref="IQueryIndex"/> must have; run against SQLite and PostgreSQL.</summary>
public abstract class QueryIndexContractTests : IAsyncLifetime
{
    private IQueryIndex? _index;

    protected IQueryIndex Index => _index ?? throw new InvalidOperationException("Not initialized.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<IQueryIndex> CreateIndexAsync();

    /// <summary>Update triggers that append to a <c>row_writes</c> table the row kind each parent-row update writes.</summary>
    protected abstract Task InstallRowWriteCountersAsync();

    /// <summary>The row kinds written since <see cref="InstallRowWriteCountersAsync"/>, in order.</summary>
    protected abstract Task<List<string>> RowWritesAsync();

    /// <summary>The first column of every row <paramref name="command"/> reads.</summary>
    protected static async Task<List<string>> FirstColumnAsync(System.Data.Common.DbCommand command)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>
    /// True where the study recount assigns the modalities on every pass (PostgreSQL's one-statement recount, which rewrites
    /// the study row for its counters anyway); SQLite assigns them only when they change (they are in its date index).
    /// </summary>
    protected virtual bool ModalitiesAssignedByEveryPass => false;

    /// <summary>The columns whose assignment an upsert's update makes (the counters' own updates assign others).</summary>
    protected static class RowWriteColumns
    {
        public const string Study = "study_date, study_description, patient_key, establishment_id";

        public const string Series = "modality, series_description, study_key";
    }

    [Fact]
    public async Task More_instances_of_a_study_leave_its_patient_study_and_series_rows_alone_until_a_value_changes()
    {
        // Every rewrite of a row is write-ahead log for each instance of a CT (on SQLite with the entries of every index on
        // an assigned column, on PostgreSQL as a new row version): triggers count the writes the upserts make.
        await Index.UpsertInstanceAsync(Make("P-ROWS", "70.1", "70.1.1", "70.1.1.1"), Ct);
        await InstallRowWriteCountersAsync();
        for (var i = 2; i <= 5; i++)
        {
            await Index.UpsertInstanceAsync(Make("P-ROWS", "70.1", "70.1.1", $"70.1.1.{i}", instanceNumber: i), Ct);
        }

        var unchanged = await RowWritesAsync();
        Assert.Equal(ModalitiesAssignedByEveryPass ? 4 : 0, unchanged.Count(w => w == "modalities"));
        Assert.All(unchanged, w => Assert.Equal("modalities", w));

        // A changed value is written, absent values keep the stored ones, and a new modality reaches the study.
        await Index.UpsertInstanceAsync(Make("P-ROWS", "70.1", "70.1.1", "70.1.1.6", instanceNumber: 6) with { StudyDescription = "Chest and abdomen" }, Ct);
        await Index.UpsertInstanceAsync(Make("P-ROWS", "70.1", "70.1.2", "70.1.2.1", modality: "PR") with { PatientName = null, StudyDescription = null }, Ct);
        var written = await RowWritesAsync();
        Assert.Equal(1, written.Count(w => w == "study"));
        Assert.DoesNotContain("patient", written);
        Assert.DoesNotContain("series", written);
        Assert.Equal(ModalitiesAssignedByEveryPass ? 6 : 1, written.Count(w => w == "modalities"));
        var study = (await Index.GetStudyAsync("70.1", Ct))!;
        Assert.Equal(("Chest and abdomen", "Doe^John", 7, 2), (study.StudyDescription, study.PatientName, study.NumberOfInstances, study.NumberOfSeries));
        Assert.Equal(["CT", "PR"], study.ModalitiesInStudy);
    }

    public async ValueTask InitializeAsync()
    {
        _index = await CreateIndexAsync();
        await _index.InitializeAsync(Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_index is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    protected Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> Query(QueryLevel level, IndexAuthorization? authorization = null, params (uint Tag, string Value)[] matches) =>
        Index.QueryAsync(Q(level, authorization, matches), Ct);

    protected static IndexQuery Q(QueryLevel level, IndexAuthorization? authorization = null, params (uint Tag, string Value)[] matches) =>
        new(level, authorization ?? IndexAuthorization.All) { Matches = matches.ToDictionary(m => m.Tag, m => m.Value) };

    protected static List<string> Values(IEnumerable<IReadOnlyDictionary<uint, string>> rows, uint tag) =>
        rows.Select(r => r.TryGetValue(tag, out var v) ? v : "<none>").Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The rows at <paramref name="level"/> whose values start with <paramref name="prefix"/> (a test's own UIDs and IDs),
    /// each as text with <paramref name="prefix"/> replaced by <paramref name="asPrefix"/>, sorted: two prefixes written
    /// by two write paths compare equal when the paths give the same rows.
    /// </summary>
    protected async Task<List<string>> RowsOf(QueryLevel level, string prefix, string asPrefix) =>
        (await Query(level))
            .Select(r => string.Join('|', r.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key:X8}={kv.Value}")))
            .Where(r => r.Contains("=" + prefix, StringComparison.Ordinal))
            .Select(r => r.Replace(prefix, asPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private async Task SeedAsync()
    {
        await Index.UpsertInstancesAsync(
        [
            Make("P1", "1.1", "1.1.1", "1.1.1.1", patientName: "Doe^John", studyDate: "20200615", modality: "CT"),
            Make("P1", "1.1", "1.1.1", "1.1.1.2", patientName: "Doe^John", studyDate: "20200615", modality: "CT", instanceNumber: 2),
            Make("P1", "1.1", "1.1.2", "1.1.2.1", patientName: "Doe^John", studyDate: "20200615", modality: "MR", seriesNumber: 2),
            Make("P1", "1.2", "1.2.1", "1.2.1.1", patientName: "Doe^John", studyDate: "20190110", modality: "US", establishment: "EST-B"),
            Make("P2", "2.1", "2.1.1", "2.1.1.1", patientName: "Müller^Hans", studyDate: "20211231", modality: "CT", regional: "R-42"),
            Make("P3", "3.1", "3.1.1", "3.1.1.1", patientName: "DOLE^JANE", studyDate: "20200101", studyTime: "235959", modality: "CR", establishment: "EST-B", regional: "R-7"),
        ], Ct);
    }

    [Fact]
    public async Task Study_query_by_patient_id_returns_patient_and_study_attributes_with_counts()
    {
        await SeedAsync();
        var rows = await Query(QueryLevel.Study, null, (IndexTags.PatientId, "P1"), (IndexTags.StudyInstanceUid, "1.1"));

        var row = Assert.Single(rows);
        Assert.Equal("Doe^John", row[IndexTags.PatientName]);
        Assert.Equal("HOSP", row[IndexTags.IssuerOfPatientId]);
        Assert.Equal("20200615", row[IndexTags.StudyDate]);
        Assert.Equal("ACC-1.1", row[IndexTags.AccessionNumber]);
        Assert.Equal("CT\\MR", row[IndexTags.ModalitiesInStudy]);
        Assert.Equal("2", row[IndexTags.NumberOfStudyRelatedSeries]);
        Assert.Equal("3", row[IndexTags.NumberOfStudyRelatedInstances]);
        Assert.Equal("EST-A", row[IndexTags.ProducingEstablishmentId]);
        Assert.False(row.ContainsKey(IndexTags.SeriesInstanceUid));
    }

    [Fact]
    public async Task Reindexing_the_same_instances_is_idempotent()
    {
        await SeedAsync();
        await SeedAsync();
        await Index.UpsertInstanceAsync(Make("P1", "1.1", "1.1.1", "1.1.1.1", modality: "CT"), Ct);

        var study = await Index.GetStudyAsync("1.1", Ct);
        Assert.NotNull(study);
        Assert.Equal(2, study.NumberOfSeries);
        Assert.Equal(3, study.NumberOfInstances);
        Assert.Equal(["CT", "MR"], study.ModalitiesInStudy);
        Assert.Equal(6, await Index.CountAsync(Q(QueryLevel.Image), Ct));
    }

    [Fact]
    public async Task Person_names_match_case_and_accent_insensitively_with_wildcards()
    {
        await SeedAsync();
        Assert.Equal(["1.1", "1.2"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "doe^john")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1", "1.2", "3.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "Do*")), IndexTags.StudyInstanceUid));
        Assert.Equal(["3.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "D?LE*")), IndexTags.StudyInstanceUid));
        Assert.Equal(["2.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "MULLER^HANS")), IndexTags.StudyInstanceUid));
        Assert.Equal(["2.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "mül*")), IndexTags.StudyInstanceUid));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.PatientName, "Doe")));
    }

    [Fact]
    public async Task Other_strings_match_case_sensitively_and_sql_wildcards_are_literal()
    {
        await Index.UpsertInstancesAsync(
        [
            Make("AB_1", "5.1", "5.1.1", "5.1.1.1"),
            Make("ABC1", "5.2", "5.2.1", "5.2.1.1"),
            Make("A%Z", "5.3", "5.3.1", "5.3.1.1"),
            Make("A[1]", "5.4", "5.4.1", "5.4.1.1"),
        ], Ct);

        Assert.Equal(["AB_1"], Values(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "AB_1")), IndexTags.PatientId));
        Assert.Equal(["AB_1"], Values(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "AB_*")), IndexTags.PatientId));
        Assert.Equal(["A%Z"], Values(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "A%*")), IndexTags.PatientId));
        Assert.Equal(["A[1]"], Values(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "A[1*")), IndexTags.PatientId));
        Assert.Equal(["ABC1", "AB_1"], Values(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "AB??")), IndexTags.PatientId));
        Assert.Empty(await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "abc1")));
    }

    [Fact]
    public async Task Hostile_values_are_data_not_sql()
    {
        await SeedAsync();
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.PatientId, "x' OR '1'='1")));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.AccessionNumber, "'; DROP TABLE studies; --")));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "1.1' OR 1=1 --\\2.1')--")));
        Assert.Equal(4, await Index.CountAsync(Q(QueryLevel.Study), Ct));
    }

    [Fact]
    public async Task Date_and_time_ranges()
    {
        await SeedAsync();
        Assert.Equal(["1.1", "3.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyDate, "20200101-20201231")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.2"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyDate, "-20191231")), IndexTags.StudyInstanceUid));
        Assert.Equal(["2.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyDate, "20210101-")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyDate, "20200615")), IndexTags.StudyInstanceUid));
        Assert.Equal(["3.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyTime, "2300-")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1", "1.2", "2.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyTime, "1000-1015")), IndexTags.StudyInstanceUid));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.StudyTime, "1000-1014")));
        Assert.Equal(["1.1", "1.2"], Values(await Query(QueryLevel.Study, null, (IndexTags.PatientBirthDate, "19700101"), (IndexTags.PatientId, "P1")), IndexTags.StudyInstanceUid));
    }

    [Fact]
    public async Task Uid_lists_modalities_and_universal_matching()
    {
        await SeedAsync();
        Assert.Equal(["1.2", "2.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "1.2\\2.1\\9.9")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "MR")), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1", "2.1", "3.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "CT\\CR")), IndexTags.StudyInstanceUid));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "XA")));
        Assert.Equal(4, (await Query(QueryLevel.Study, null, (IndexTags.PatientName, ""), (IndexTags.AccessionNumber, "*"))).Count);
    }

    [Fact]
    public async Task Series_and_image_levels_carry_their_attributes()
    {
        await SeedAsync();
        var series = await Query(QueryLevel.Series, null, (IndexTags.StudyInstanceUid, "1.1"));
        Assert.Equal(["1.1.1", "1.1.2"], Values(series, IndexTags.SeriesInstanceUid));
        var ct = series.Single(r => r[IndexTags.SeriesInstanceUid] == "1.1.1");
        Assert.Equal("CT", ct[IndexTags.Modality]);
        Assert.Equal("2", ct[IndexTags.NumberOfSeriesRelatedInstances]);
        Assert.Equal("1", ct[IndexTags.SeriesNumber]);
        Assert.Equal("Doe^John", ct[IndexTags.PatientName]);

        var images = await Query(QueryLevel.Image, null, (IndexTags.SeriesInstanceUid, "1.1.1"), (IndexTags.InstanceNumber, "2"));
        var image = Assert.Single(images);
        Assert.Equal("1.1.1.2", image[IndexTags.SopInstanceUid]);
        Assert.Equal("512", image[IndexTags.Rows]);
        Assert.Equal("1.2.840.10008.1.2.1", image[IndexTags.AvailableTransferSyntaxUid]);
        Assert.Equal("ONLINE", image[IndexTags.InstanceAvailability]);
        Assert.Equal("1.1", image[IndexTags.StudyInstanceUid]);
    }

    [Fact]
    public async Task Character_set_timezone_procedure_step_and_bits_allocated_are_returned_at_their_levels()
    {
        await Index.UpsertInstancesAsync(
        [
            Make("P8", "8.1", "8.1.1", "8.1.1.1") with
            {
                SpecificCharacterSet = "ISO_IR 100", TimezoneOffsetFromUtc = "+0100", BitsAllocated = 16,
                PerformedProcedureStepStartDate = "20240301", PerformedProcedureStepStartTime = "081500",
            },
            Make("P8", "8.1", "8.1.2", "8.1.2.1", seriesNumber: 2) with
            {
                SpecificCharacterSet = "ISO_IR 192", TimezoneOffsetFromUtc = "+0200", BitsAllocated = 8,
                PerformedProcedureStepStartDate = "20240302", PerformedProcedureStepStartTime = "143000",
            },
            Make("P8", "8.1", "8.1.3", "8.1.3.1", seriesNumber: 3),
        ], Ct);

        // The study keeps the last received values; each series and instance its own; absent stays absent.
        var study = Assert.Single(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "8.1")));
        Assert.Equal("ISO_IR 192", study[IndexTags.SpecificCharacterSet]);
        Assert.Equal("+0200", study[IndexTags.TimezoneOffsetFromUtc]);
        Assert.False(study.ContainsKey(IndexTags.PerformedProcedureStepStartDate));

        var series = await Query(QueryLevel.Series, null, (IndexTags.StudyInstanceUid, "8.1"));
        var first = series.Single(r => r[IndexTags.SeriesInstanceUid] == "8.1.1");
        Assert.Equal("ISO_IR 100", first[IndexTags.SpecificCharacterSet]);
        Assert.Equal("+0100", first[IndexTags.TimezoneOffsetFromUtc]);
        Assert.Equal("20240301", first[IndexTags.PerformedProcedureStepStartDate]);
        Assert.Equal("081500", first[IndexTags.PerformedProcedureStepStartTime]);
        var third = series.Single(r => r[IndexTags.SeriesInstanceUid] == "8.1.3");
        Assert.False(third.ContainsKey(IndexTags.TimezoneOffsetFromUtc));
        Assert.False(third.ContainsKey(IndexTags.PerformedProcedureStepStartDate));

        var image = Assert.Single(await Query(QueryLevel.Image, null, (IndexTags.SopInstanceUid, "8.1.2.1")));
        Assert.Equal("8", image[IndexTags.BitsAllocated]);
        Assert.Equal("ISO_IR 192", image[IndexTags.SpecificCharacterSet]);
        Assert.Equal("+0200", image[IndexTags.TimezoneOffsetFromUtc]);
        Assert.False((await Query(QueryLevel.Image, null, (IndexTags.SopInstanceUid, "8.1.3.1")))[0].ContainsKey(IndexTags.BitsAllocated));

        // Performed Procedure Step Start Date/Time are series matching keys (PS3.18 Table 6.7.1-1): single value and range.
        Assert.Equal(["8.1.2"], Values(await Query(QueryLevel.Series, null, (IndexTags.PerformedProcedureStepStartDate, "20240302")), IndexTags.SeriesInstanceUid));
        Assert.Equal(["8.1.1", "8.1.2"], Values(await Query(QueryLevel.Series, null, (IndexTags.PerformedProcedureStepStartDate, "20240301-20240331")), IndexTags.SeriesInstanceUid));
        Assert.Equal(["8.1.2"], Values(await Query(QueryLevel.Image, null, (IndexTags.PerformedProcedureStepStartTime, "1200-")), IndexTags.SeriesInstanceUid));
        await Assert.ThrowsAsync<ArgumentException>(() => Query(QueryLevel.Study, null, (IndexTags.PerformedProcedureStepStartDate, "20240302")));
    }

    [Fact]
    public async Task Keys_below_the_query_level_and_unknown_keys_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Query(QueryLevel.Study, null, (IndexTags.SopInstanceUid, "1")));
        await Assert.ThrowsAsync<ArgumentException>(() => Query(QueryLevel.Patient, null, (IndexTags.StudyDate, "2020")));
        await Assert.ThrowsAsync<ArgumentException>(() => Query(QueryLevel.Study, null, (0x0009_1234u, "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Query(QueryLevel.Image, null, (IndexTags.InstanceNumber, "one")));
    }

    [Fact]
    public async Task Authorization_is_applied_to_rows_counts_and_every_level()
    {
        await SeedAsync();
        var estA = IndexAuthorization.Restricted(["EST-A"], []);
        Assert.Equal(["1.1", "2.1"], Values(await Query(QueryLevel.Study, estA), IndexTags.StudyInstanceUid));
        Assert.Equal(2, await Index.CountAsync(Q(QueryLevel.Study, estA), Ct));
        Assert.Equal(["1.1.1", "1.1.2", "2.1.1"], Values(await Query(QueryLevel.Series, estA), IndexTags.SeriesInstanceUid));
        Assert.Equal(4, await Index.CountAsync(Q(QueryLevel.Image, estA), Ct));
        Assert.Empty(await Query(QueryLevel.Image, estA, (IndexTags.StudyInstanceUid, "1.2")));

        // Patient level: P3 (only EST-B) invisible; P1 shows one visible study of two.
        var patients = await Query(QueryLevel.Patient, estA);
        Assert.Equal(["P1", "P2"], Values(patients, IndexTags.PatientId));
        Assert.Equal("1", patients.Single(p => p[IndexTags.PatientId] == "P1")[IndexTags.NumberOfPatientRelatedStudies]);
        Assert.Equal("2", (await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "P1")))[0][IndexTags.NumberOfPatientRelatedStudies]);

        // A care relationship on a regional patient opens that patient's studies from any establishment.
        var regional = IndexAuthorization.Restricted([], ["R-7"]);
        Assert.Equal(["3.1"], Values(await Query(QueryLevel.Study, regional), IndexTags.StudyInstanceUid));
        var both = IndexAuthorization.Restricted(["EST-A"], ["R-7"]);
        Assert.Equal(3, await Index.CountAsync(Q(QueryLevel.Study, both), Ct));

        Assert.Empty(await Query(QueryLevel.Study, IndexAuthorization.None));
        Assert.Equal(0, await Index.CountAsync(Q(QueryLevel.Patient, IndexAuthorization.Restricted(["EST-Z"], [])), Ct));
    }

    [Fact]
    public async Task Establishment_or_regional_patient_visibility_gives_each_visible_study_once_in_page_order()
    {
        await SeedAsync();

        // EST-A produced 1.1 and 2.1; 2.1 is also regional patient R-42's (both branches), 3.1 is R-7's (EST-B); 1.2 neither.
        var both = IndexAuthorization.Restricted(["EST-A"], ["R-7", "R-42"]);
        Assert.Equal(["1.1", "2.1", "3.1"], Values(await Query(QueryLevel.Study, both), IndexTags.StudyInstanceUid));
        Assert.Equal(3, await Index.CountAsync(Q(QueryLevel.Study, both), Ct));
        Assert.Equal(["1.1", "3.1"], Values(await Query(QueryLevel.Study, both, (IndexTags.StudyDate, "20200101-20201231")), IndexTags.StudyInstanceUid));
        Assert.Equal(2, await Index.CountAsync(Q(QueryLevel.Study, both, (IndexTags.StudyDate, "20200101-20201231")), Ct));
        Assert.Equal(["1.1", "3.1"], Values(await Query(QueryLevel.Study, both, (IndexTags.PatientName, "DO*")), IndexTags.StudyInstanceUid));
        Assert.Equal(["2.1"], Values(await Query(QueryLevel.Study, both, (IndexTags.ModalitiesInStudy, "CT"), (IndexTags.StudyDate, "20210101-")), IndexTags.StudyInstanceUid));
        Assert.Empty(await Query(QueryLevel.Study, both, (IndexTags.StudyInstanceUid, "1.2")));

        // P1's visible study count counts only what the user sees (1.1, not EST-B's 1.2).
        var p1 = (await Query(QueryLevel.Study, both, (IndexTags.PatientId, "P1"))).Single();
        Assert.Equal("1", p1[IndexTags.NumberOfPatientRelatedStudies]);

        // Pages of one, in (date, key) order across both branches, each study once, then nothing.
        var pages = new List<string>();
        for (var offset = 0; offset < 4; offset++)
        {
            var page = await Index.QueryAsync(Q(QueryLevel.Study, both, (IndexTags.StudyDate, "20190101-20221231")) with { Limit = 1, Offset = offset }, Ct);
            pages.AddRange(page.Select(r => r[IndexTags.StudyInstanceUid]));
        }

        Assert.Equal(["3.1", "1.1", "2.1"], pages);
    }

    [Fact]
    public async Task Exact_modalities_with_a_study_date_match_whole_modalities_of_the_studys_series()
    {
        await SeedAsync();
        await Index.UpsertInstanceAsync(Make("P4", "4.1", "4.1.1", "4.1.1.1", studyDate: "20200615", modality: "CTA"), Ct);
        var day = (IndexTags.StudyDate, "20200615");

        Assert.Equal(["1.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "CT"), day), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "MR"), day), IndexTags.StudyInstanceUid));
        Assert.Equal(["1.1", "4.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "XA\\CTA\\MR"), day), IndexTags.StudyInstanceUid));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "TA"), day));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "CT\\MR"), (IndexTags.StudyDate, "20190110")));
        Assert.Equal(["1.1", "4.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "C*"), day), IndexTags.StudyInstanceUid));
        Assert.Equal(1, await Index.CountAsync(Q(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "MR"), day), Ct));

        // The study's modalities follow its series: once its only MR instance is gone, MR no longer matches.
        Assert.True(await Index.DeleteInstanceAsync("1.1.2.1", Ct));
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "MR"), day));
        Assert.Equal(["1.1"], Values(await Query(QueryLevel.Study, null, (IndexTags.ModalitiesInStudy, "CT"), day), IndexTags.StudyInstanceUid));
    }

    [Fact]
    public async Task Paging_is_stable_and_complete()
    {
        await Index.UpsertInstancesAsync(Enumerable.Range(1, 7).Select(i => Make("PP", $"7.{i}", $"7.{i}.1", $"7.{i}.1.1")).ToList(), Ct);
        var pages = new List<string>();
        for (var offset = 0; offset < 8; offset += 3)
        {
            var page = await Index.QueryAsync(Q(QueryLevel.Study) with { Limit = 3, Offset = offset }, Ct);
            Assert.True(page.Count <= 3);
            pages.AddRange(page.Select(r => r[IndexTags.StudyInstanceUid]));
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"7.{i}").Order(StringComparer.Ordinal), pages.Order(StringComparer.Ordinal));
        Assert.Equal(7, pages.Distinct().Count());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Index.QueryAsync(Q(QueryLevel.Study) with { Limit = 0 }, Ct));
    }

    [Fact]
    public async Task Delete_study_removes_it_its_children_and_an_orphaned_patient()
    {
        await SeedAsync();
        Assert.True(await Index.DeleteStudyAsync("3.1", Ct));
        Assert.False(await Index.DeleteStudyAsync("3.1", Ct));
        Assert.True(await Index.DeleteStudyAsync("1.2", Ct));

        Assert.Null(await Index.GetStudyAsync("3.1", Ct));
        Assert.Empty(await Query(QueryLevel.Image, null, (IndexTags.StudyInstanceUid, "3.1")));
        Assert.Equal(["P1", "P2"], Values(await Query(QueryLevel.Patient), IndexTags.PatientId));
        Assert.Equal("1", (await Query(QueryLevel.Patient, null, (IndexTags.PatientId, "P1")))[0][IndexTags.NumberOfPatientRelatedStudies]);
    }

    [Fact]
    public async Task Get_study_returns_the_study_record()
    {
        await SeedAsync();
        var study = await Index.GetStudyAsync("2.1", Ct);
        Assert.NotNull(study);
        Assert.Equal("P2", study.PatientId);
        Assert.Equal("R-42", study.RegionalPatientId);
        Assert.Equal("Müller^Hans", study.PatientName);
        Assert.Equal("EST-A", study.ProducingEstablishmentId);
        Assert.Equal(1, study.NumberOfInstances);
        Assert.Null(await Index.GetStudyAsync("9.9.9", Ct));
    }

    [Fact]
    public async Task Concurrent_single_upserts_are_all_committed_with_exact_counts()
    {
        var writes = Enumerable.Range(1, 300).Select(i =>
            Index.UpsertInstanceAsync(Make($"C{i % 3}", $"8.{i % 5}", $"8.{i % 5}.{i % 2}", $"8.9.{i}", modality: i % 2 == 0 ? "CT" : "MR"), Ct));
        await Task.WhenAll(writes);

        Assert.Equal(300, await Index.CountAsync(Q(QueryLevel.Image), Ct));
        var studies = await Query(QueryLevel.Study);
        Assert.Equal(5, studies.Count);
        Assert.All(studies, s => Assert.Equal("60", s[IndexTags.NumberOfStudyRelatedInstances]));
        Assert.All(studies, s => Assert.Equal("2", s[IndexTags.NumberOfStudyRelatedSeries]));
        Assert.All(studies, s => Assert.Equal("CT\\MR", s[IndexTags.ModalitiesInStudy]));
    }

    [Fact]
    public async Task Counts_follow_added_re_indexed_and_moved_instances()
    {
        // A series filled over many small batches, some instances indexed twice (a retried store).
        for (var i = 1; i <= 40; i++)
        {
            await Index.UpsertInstancesAsync([Make("K", "7.1", "7.1.1", $"7.1.1.{i}"), Make("K", "7.1", "7.1.1", $"7.1.1.{Math.Max(1, i - 1)}")], Ct);
        }

        await Index.UpsertInstanceAsync(Make("K", "7.1", "7.1.1", "7.1.1.5"), Ct);
        Assert.Equal(40, (await Index.GetStudyAsync("7.1", Ct))!.NumberOfInstances);

        // A corrected header moves one instance to another series of the study: it leaves the old series' count.
        await Index.UpsertInstanceAsync(Make("K", "7.1", "7.1.2", "7.1.1.7"), Ct);

        var series = await Query(QueryLevel.Series, null, (IndexTags.StudyInstanceUid, "7.1"));
        Assert.Equal("39", series.Single(r => r[IndexTags.SeriesInstanceUid] == "7.1.1")[IndexTags.NumberOfSeriesRelatedInstances]);
        Assert.Equal("1", series.Single(r => r[IndexTags.SeriesInstanceUid] == "7.1.2")[IndexTags.NumberOfSeriesRelatedInstances]);
        var study = await Index.GetStudyAsync("7.1", Ct);
        Assert.Equal(40, study!.NumberOfInstances);
        Assert.Equal(40, await Index.CountAsync(Q(QueryLevel.Image, null, (IndexTags.StudyInstanceUid, "7.1")), Ct));
    }

    [Fact]
    public async Task Lazy_and_durable_writes_committed_together_give_the_same_rows()
    {
        // The ingest's lazy rows share group commits with durable writes and barriers: a mixed batch commits durably.
        static IndexedInstance[] Study(string x) => [.. Enumerable.Range(1, 6).Select(i => Make(x + "P", x + ".1", x + ".1." + (i % 2), $"{x}.9.{i}", instanceNumber: i))];
        await Task.WhenAll([
            .. Study("81").Select(row => Index.UpsertInstanceLazilyAsync(row, Ct)),
            Index.FlushAsync(Ct),
            .. Study("82").Select(row => Index.UpsertInstanceAsync(row, Ct)),
            Index.FlushAsync(Ct),
        ]);
        await Index.FlushAsync(Ct);

        var lazy = await Index.GetStudyAsync("81.1", Ct);
        var durable = await Index.GetStudyAsync("82.1", Ct);
        Assert.Equal((6, 2), (lazy!.NumberOfInstances, lazy.NumberOfSeries));
        Assert.Equal((durable!.NumberOfInstances, durable.NumberOfSeries), (lazy.NumberOfInstances, lazy.NumberOfSeries));
    }

    [Fact]
    public async Task In_order_upsert_gives_the_rows_of_one_upsert_per_instance()
    {
        // The rebuild and the change-feed follower write in feed order, merging runs of instances that share their
        // patient, study and series attributes: the result must be what one upsert per instance in that order gives.
        static IndexedInstance[] Sequence(string x) =>
        [
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.1"),
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.2") with { StudyDescription = null, SeriesDescription = null },
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.3"),
            Make(x + "P", x + ".1", x + ".1.2", x + ".9.4", modality: "MR", seriesNumber: 2, patientName: "Doe^Johnny") with { StudyDescription = "Chest+Abdomen" },
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.5"),
            // Moved to series 2 (sorted after series 1) with other study attributes: a merged pass would let them win.
            Make(x + "P", x + ".1", x + ".1.2", x + ".9.1", modality: "MR", seriesNumber: 2, patientName: "Doe^Johnny") with { StudyDescription = "Moved" },
            Make("", x + ".1", x + ".1.3", x + ".9.6", regional: x + "R1", modality: "SR", seriesNumber: 3),
            Make("", x + ".2", x + ".2.1", x + ".9.7", regional: x + "R2", modality: "CR"),
            Make(x + "Q", x + ".2", x + ".2.1", x + ".9.8", modality: "CR", instanceNumber: 2),
            .. Enumerable.Range(10, 5).Select(i => Make(x + "P", x + ".1", x + ".1.1", $"{x}.9.{i}", instanceNumber: i)),
        ];

        foreach (var instance in Sequence("71"))
        {
            await Index.UpsertInstanceAsync(instance, Ct);
        }

        await Index.UpsertInOrderAsync(Sequence("72"), Ct);

        foreach (var level in new[] { QueryLevel.Study, QueryLevel.Series, QueryLevel.Image })
        {
            var inOrder = await RowsOf(level, "72", "72");
            Assert.NotEmpty(inOrder);
            Assert.Equal(await RowsOf(level, "71", "72"), inOrder);
        }

        // The provisional patient of 72.2 was left for Q: its row is gone, as one upsert per instance leaves it.
        Assert.Empty(await Query(QueryLevel.Study, null, (IndexTags.PatientId, "72Q"), (IndexTags.StudyInstanceUid, "72.1")));
        Assert.Equal("72Q", Assert.Single(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "72.2")))[IndexTags.PatientId]);
    }

    [Fact]
    public async Task A_batch_naming_an_instance_twice_or_moving_stored_ones_gives_the_rows_of_one_upsert_per_instance()
    {
        // PostgreSQL writes a batch's instance rows in one statement (one row per SOP Instance UID): the result must be
        // what one upsert per instance gives — last values win, counts follow every move, emptied series are recounted.
        static IndexedInstance[] Stored(string x) =>
        [
            Make(x + "P", x + ".1", x + ".1.3", x + ".9.1", modality: "SR", seriesNumber: 3),
            Make(x + "P", x + ".1", x + ".1.3", x + ".9.2", modality: "SR", seriesNumber: 3),
        ];
        static IndexedInstance[] Batch(string x) =>
        [
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.1", instanceNumber: 1),
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.3", instanceNumber: 3),
            Make(x + "P", x + ".1", x + ".1.2", x + ".9.1", modality: "MR", seriesNumber: 2, instanceNumber: 9),
            Make(x + "P", x + ".1", x + ".1.2", x + ".9.4", modality: "MR", seriesNumber: 2, instanceNumber: 4),
            Make(x + "P", x + ".1", x + ".1.1", x + ".9.3", instanceNumber: 7),
            Make(x + "P", x + ".1", x + ".1.2", x + ".9.2", modality: "MR", seriesNumber: 2, instanceNumber: 2),
        ];

        await Index.UpsertInstancesAsync(Stored("73"), Ct);
        await Index.UpsertInstancesAsync(Stored("74"), Ct);
        await Index.UpsertInstancesAsync(Batch("73"), Ct);
        foreach (var instance in Batch("74"))
        {
            await Index.UpsertInstanceAsync(instance, Ct);
        }

        foreach (var level in new[] { QueryLevel.Study, QueryLevel.Series, QueryLevel.Image })
        {
            var batched = await RowsOf(level, "73", "73");
            Assert.NotEmpty(batched);
            Assert.Equal(await RowsOf(level, "74", "73"), batched);
        }

        var series = await Query(QueryLevel.Series, null, (IndexTags.StudyInstanceUid, "73.1"));
        Assert.Equal(
            ["73.1.1=1", "73.1.2=3", "73.1.3=0"],
            series.Select(r => $"{r[IndexTags.SeriesInstanceUid]}={r[IndexTags.NumberOfSeriesRelatedInstances]}").Order(StringComparer.Ordinal));
        var study = await Index.GetStudyAsync("73.1", Ct);
        Assert.Equal(4, study!.NumberOfInstances);
        Assert.Equal("7", Assert.Single(await Query(QueryLevel.Image, null, (IndexTags.SopInstanceUid, "73.9.3")))[IndexTags.InstanceNumber]);
        Assert.Equal("9", Assert.Single(await Query(QueryLevel.Image, null, (IndexTags.SopInstanceUid, "73.9.1")))[IndexTags.InstanceNumber]);
    }

    [Fact]
    public async Task A_batch_of_many_series_gives_the_rows_of_their_upserts_one_by_one_in_key_order()
    {
        // A batch upserts its patients, studies and series in (patient, issuer, study, series) order; PostgreSQL folds
        // them into one statement per table. Here: a patient in two studies with different attributes, a study of two
        // series with different study attributes, a study whose second series names the patient its first one lacks,
        // and a stored provisional study now identified (its provisional patient row must go).
        static IndexedInstance A(string x) => Make(x + "P", x + ".1", x + ".1.1", x + ".9.1", patientName: "Doe^John");
        static IndexedInstance F(string x) => Make(x + "P", x + ".1", x + ".1.2", x + ".9.7", modality: "MR", seriesNumber: 2, patientName: "Doe^Johnny") with { StudyDescription = "Later", PatientSex = null };
        static IndexedInstance B(string x) => Make(x + "P", x + ".2", x + ".2.1", x + ".9.2", patientName: "Doe^J") with { PatientBirthDate = "19600101", StudyDescription = null };
        static IndexedInstance E(string x) => Make(x + "P", x + ".4", x + ".4.1", x + ".9.6") with { PatientBirthDate = null };
        static IndexedInstance D(string x) => Make(x + "Q", x + ".3", x + ".3.2", x + ".9.4", modality: "CR", seriesNumber: 2);
        static IndexedInstance C(string x) => Make("", x + ".3", x + ".3.1", x + ".9.3", regional: x + "R3", modality: "SR");
        static IndexedInstance Provisional(string x) => Make("", x + ".4", x + ".4.1", x + ".9.5", regional: x + "R4");

        await Index.UpsertInstanceAsync(Provisional("75"), Ct);
        await Index.UpsertInstanceAsync(Provisional("76"), Ct);
        await Index.UpsertInstancesAsync([C("75"), E("75"), F("75"), D("75"), B("75"), A("75")], Ct);
        foreach (var instance in new[] { A("76"), F("76"), B("76"), E("76"), D("76"), C("76") })
        {
            await Index.UpsertInstanceAsync(instance, Ct);
        }

        foreach (var level in new[] { QueryLevel.Patient, QueryLevel.Study, QueryLevel.Series, QueryLevel.Image })
        {
            var batched = await RowsOf(level, "75", "75");
            Assert.Equal(level switch { QueryLevel.Patient => 2, QueryLevel.Study => 4, QueryLevel.Series => 6, _ => 7 }, batched.Count);
            Assert.Equal(await RowsOf(level, "76", "75"), batched);
        }

        // The identified study left its provisional patient (only P and Q are left); the two-series study stays with Q;
        // P's birth date is B's (E, upserted after it, has none), its name E's (the last upsert of P).
        Assert.Equal("75Q", Assert.Single(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "75.3")))[IndexTags.PatientId]);
        var p = Assert.Single(await Query(QueryLevel.Study, null, (IndexTags.StudyInstanceUid, "75.1")));
        Assert.Equal(("19600101", "Doe^John", "M"), (p[IndexTags.PatientBirthDate], p[IndexTags.PatientName], p[IndexTags.PatientSex]));
    }

    [Fact]
    public async Task Numbers_absent_from_one_write_and_present_in_the_next_are_stored()
    {
        // PostgreSQL keeps an auto-prepared statement's parameter types: a number bound after a NULL in the same
        // statement was refused (22P03, every multi-frame C-STORE after single-frame ones in cluster mode).
        // Several writes first, so the statements are prepared (PostgresQueryIndex auto-prepares after two uses).
        for (var i = 1; i <= 4; i++)
        {
            await Index.UpsertInstanceAsync(Make("N1", "77.1", "77.1.1", $"77.1.1.{i}", seriesNumber: null, instanceNumber: null) with { NumberOfFrames = null, Rows = null }, Ct);
        }

        await Index.UpsertInstanceAsync(Make("N1", "77.1", "77.1.2", "77.1.2.1", seriesNumber: 3, instanceNumber: 2) with { NumberOfFrames = 1000, Rows = 512 }, Ct);
        await Index.UpsertInstanceAsync(Make("N1", "77.1", "77.1.3", "77.1.3.1", seriesNumber: null, instanceNumber: null) with { NumberOfFrames = null, Rows = null }, Ct);

        var image = Assert.Single(await Query(QueryLevel.Image, null, (IndexTags.SopInstanceUid, "77.1.2.1")));
        Assert.Equal(("1000", "512", "2"), (image[IndexTags.NumberOfFrames], image[IndexTags.Rows], image[IndexTags.InstanceNumber]));
        Assert.Equal("3", Assert.Single(await Query(QueryLevel.Series, null, (IndexTags.SeriesInstanceUid, "77.1.2")))[IndexTags.SeriesNumber]);
        Assert.Equal(6, (await Index.GetStudyAsync("77.1", Ct))!.NumberOfInstances);
    }

    [Fact]
    public async Task One_invalid_write_fails_alone()
    {
        var good = Index.UpsertInstanceAsync(Make("G", "6.1", "6.1.1", "6.1.1.1"), Ct);
        var bad = Index.UpsertInstanceAsync(Make("G", "6.1", "6.1.1", "6.1.1.2") with { SopClassUid = "" }, Ct);
        var alsoGood = Index.UpsertInstanceAsync(Make("G", "6.1", "6.1.1", "6.1.1.3"), Ct);

        await good;
        await alsoGood;
        await Assert.ThrowsAnyAsync<ArgumentException>(() => bad);
        Assert.Equal(2, (await Index.GetStudyAsync("6.1", Ct))!.NumberOfInstances);
    }
}
