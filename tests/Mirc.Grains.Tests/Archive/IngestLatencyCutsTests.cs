using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// The two latency cuts of the ingest pipeline (the patient cache, the index write overlapping the manifest commit)
/// are switches: with each on or off, four concurrent callers — like four DIMSE associations — store a study whose
/// every instance is indexed and counted once. Their speed is measured by <c>bench/compare.sh</c>, not here.
/// </summary>
public sealed class IngestLatencyCutsTests
{
    private const int Instances = 24;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Four_callers_store_an_indexed_study_with_each_cut_on_or_off(bool cache, bool overlap)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var archive = new ArchiveCluster();
        archive.Settings["Mirc:Archive:Ingest:PatientCacheLifetime"] = cache ? "00:00:30" : "00:00:00";
        archive.Settings["Mirc:Archive:Ingest:OverlapIndexWithManifest"] = overlap ? "true" : "false";
        await archive.InitializeAsync();
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-K4" } };
        var outcomes = new IngestOutcome[Instances];

        await Parallel.ForAsync(0, Instances, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var instance = new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = i + 1, PatientId = "K4" };
            using var stream = new MemoryStream(instance.ToPart10(), writable: false);
            outcomes[i] = await archive.Ingestor.IngestAsync(stream, request, token);
        });

        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));
        Assert.Single(outcomes.Select(o => o.PatientId).Distinct());
        var indexed = await archive.Index.GetStudyAsync(study, ct);
        Assert.NotNull(indexed);
        Assert.Equal(Instances, indexed.NumberOfInstances);
        Assert.Equal(outcomes[0].PatientId, indexed.RegionalPatientId);
        var patient = await archive.Grains.GetGrain<IPatientGrain>(outcomes[0].PatientId!).GetAsync();
        Assert.Equal(Instances, Assert.Single(patient.Studies).InstanceCount);
    }
}
