using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class PatientLinkStudyMoveTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance, string establishment)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        return outcome;
    }

    [Fact]
    public async Task Linking_a_local_id_moves_its_studies_to_the_target_patient_with_history()
    {
        var ct = TestContext.Current.CancellationToken;
        var x = await IngestAsync(new SyntheticInstance { PatientId = "MX-1", Issuer = "HX" }, "EST-MX");
        var yStudy = SyntheticInstance.NewUid();
        var y = await IngestAsync(new SyntheticInstance { StudyUid = yStudy, PatientId = "MY-1", Issuer = "HY" }, "EST-MY");
        var yLocal = new LocalPatientId("EST-MY", "HY", "MY-1");

        await archive.Grains.GetGrain<IPatientIdentityAdminGrain>(0).LinkAsync(yLocal, x.PatientId!, "10001", "same person");

        var px = await archive.Grains.GetGrain<IPatientGrain>(x.PatientId!).GetAsync();
        var py = await archive.Grains.GetGrain<IPatientGrain>(y.PatientId!).GetAsync();
        Assert.Equal(new[] { x.StudyInstanceUid!, yStudy }.Order(StringComparer.Ordinal), px.Studies.Select(s => s.StudyInstanceUid).Order(StringComparer.Ordinal));
        Assert.Empty(py.Studies);
        Assert.Equal(x.PatientId, (await archive.Grains.GetGrain<IStudyGrain>(yStudy).GetSummaryAsync()).PatientId);
        Assert.Equal(x.PatientId, (await archive.Index.GetStudyAsync(yStudy, ct))!.RegionalPatientId);
        var moved = Assert.Single(px.History, h => h.Kind == IdentityLinkKind.StudiesMoved);
        Assert.Equal([yStudy], moved.StudyUids);
        Assert.Equal(y.PatientId, moved.OtherPatientId);
        Assert.Contains(py.History, h => h.Kind == IdentityLinkKind.StudiesMoved && h.OtherPatientId == x.PatientId);

        // More instances of the moved study under the same local id join it (the ingest cache was invalidated).
        var more = await IngestAsync(new SyntheticInstance { StudyUid = yStudy, PatientId = "MY-1", Issuer = "HY", InstanceNumber = 2 }, "EST-MY");
        Assert.Equal(x.PatientId, more.PatientId);
        Assert.Equal(2, (await archive.Grains.GetGrain<IStudyGrain>(yStudy).GetSummaryAsync()).InstanceCount);
    }

    [Fact]
    public async Task Unlinking_moves_the_local_ids_studies_to_its_new_patient_and_leaves_the_others()
    {
        var ins = new NationalIdentity("1850299000111", NationalIdentity.TestInsOid);
        var a = await IngestAsync(new SyntheticInstance { PatientId = "UA-1", Issuer = "HA", Ins = ins }, "EST-UA");
        var b = await IngestAsync(new SyntheticInstance { PatientId = "UB-1", Issuer = "HB", Ins = ins }, "EST-UB");
        Assert.Equal(a.PatientId, b.PatientId);

        var fresh = await archive.Grains.GetGrain<IPatientIdentityAdminGrain>(0).UnlinkAsync(new LocalPatientId("EST-UB", "HB", "UB-1"), "10002", "INS typo");

        var original = await archive.Grains.GetGrain<IPatientGrain>(a.PatientId!).GetAsync();
        var separated = await archive.Grains.GetGrain<IPatientGrain>(fresh).GetAsync();
        Assert.Equal([a.StudyInstanceUid!], original.Studies.Select(s => s.StudyInstanceUid));
        Assert.Equal([b.StudyInstanceUid!], separated.Studies.Select(s => s.StudyInstanceUid));
        Assert.Equal(fresh, (await archive.Grains.GetGrain<IStudyGrain>(b.StudyInstanceUid!).GetSummaryAsync()).PatientId);
        Assert.Equal(fresh, (await archive.Index.GetStudyAsync(b.StudyInstanceUid!, TestContext.Current.CancellationToken))!.RegionalPatientId);
    }
}
