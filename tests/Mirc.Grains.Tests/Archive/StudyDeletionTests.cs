using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class StudyDeletionTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance, string establishment = "EST-DEL")
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Delete_removes_blobs_index_rows_patient_reference_and_is_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var outcomes = new List<IngestOutcome>();
        for (var n = 1; n <= 3; n++)
        {
            outcomes.Add(await IngestAsync(new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, PatientId = "DEL-1" }));
        }

        var kept = await IngestAsync(new SyntheticInstance { PatientId = "DEL-1" });
        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));
        var patientId = outcomes[0].PatientId!;
        var keys = outcomes.Select(o => new BlobKey(o.Instance!.BlobContainer, o.Instance.BlobName)).ToArray();

        var deletion = await archive.Grains.GetGrain<IStudyGrain>(study).DeleteAsync("patient request (RGPD art. 17)", "10001");

        Assert.True(deletion.Existed);
        Assert.False(deletion.WasAlreadyDeleted);
        Assert.Equal(3, deletion.InstancesRemoved);
        Assert.Equal(outcomes.Sum(o => o.Instance!.Size), deletion.BytesRemoved);
        Assert.Equal(patientId, deletion.PatientId);
        foreach (var key in keys)
        {
            Assert.Null(await archive.Blobs.TryGetPropertiesAsync(key, ct));
        }

        Assert.Null(await archive.Index.GetStudyAsync(study, ct));
        Assert.NotNull(await archive.Index.GetStudyAsync(kept.StudyInstanceUid!, ct));
        var patient = await archive.Grains.GetGrain<IPatientGrain>(patientId).GetAsync();
        Assert.DoesNotContain(patient.Studies, s => s.StudyInstanceUid == study);
        Assert.Contains(patient.Studies, s => s.StudyInstanceUid == kept.StudyInstanceUid);
        var grain = archive.Grains.GetGrain<IStudyGrain>(study);
        Assert.Equal(StudyStatus.Deleted, (await grain.GetSummaryAsync()).Status);
        Assert.Empty(await grain.GetInstancesAsync());
        var audit = Assert.Single(archive.Audit.Durable, e => e.Action == AuditAction.Delete && e.StudyUids.Contains(study));
        Assert.Equal("10001", audit.ActorId);
        Assert.Equal(patientId, audit.PatientId);
        Assert.Contains("RGPD", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_study_refuses_new_instances_and_a_second_delete_is_a_no_op()
    {
        var study = SyntheticInstance.NewUid();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(new SyntheticInstance { StudyUid = study })).Status);
        var grain = archive.Grains.GetGrain<IStudyGrain>(study);
        await grain.DeleteAsync("wrong patient", "10002");

        var again = await IngestAsync(new SyntheticInstance { StudyUid = study });
        var second = await grain.DeleteAsync("wrong patient", "10002");
        await archive.DeactivateAsync(grain);
        var afterReload = await grain.GetSummaryAsync();

        Assert.Equal(IngestStatus.StudyClosed, again.Status);
        Assert.True(second.WasAlreadyDeleted);
        Assert.Equal(0, second.InstancesRemoved);
        Assert.Equal(StudyStatus.Deleted, afterReload.Status);
        Assert.Equal(0, afterReload.InstanceCount);
        Assert.Single(archive.Audit.Durable, e => e.Action == AuditAction.Delete && e.StudyUids.Contains(study));
    }

    [Fact]
    public async Task Deleting_an_unknown_study_reports_that_nothing_existed()
    {
        var deletion = await archive.Grains.GetGrain<IStudyGrain>(SyntheticInstance.NewUid()).DeleteAsync("cleanup", "10003");

        Assert.False(deletion.Existed);
        Assert.Equal(0, deletion.InstancesRemoved);
    }
}
