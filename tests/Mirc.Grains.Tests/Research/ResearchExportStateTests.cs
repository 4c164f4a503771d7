using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Tests.Archive;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Research;

/// <summary>
/// A research export's state follows its storage and its audit trail: a start storage refused is not reported started,
/// a progress write refused neither fails the export nor loses it, and an export whose end could not be audited is not
/// finished until its end is recorded.
/// </summary>
public sealed class ResearchExportStateTests(FaultyArchive fixture) : IClassFixture<FaultyArchive>
{
    private static readonly ProfessionalPrincipal Manager = TestPrincipals.Make(MircRoles.ResearchManager, "750000011", "research-manager");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Stores a two-instance CT study at <paramref name="establishment"/> and defines a project whose cohort is its CT studies.</summary>
    private async Task<string> ProjectOfTwoInstancesAsync(string establishment, string patientId)
    {
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        foreach (var number in new[] { 1, 2 })
        {
            using var stream = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = number, PatientId = patientId }.ToPart10());
            var stored = await fixture.Archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, Ct);
            Assert.True(stored.Status == IngestStatus.Stored, stored.Detail);
        }

        var projectId = Guid.NewGuid().ToString("N");
        await fixture.Archive.Grains.GetGrain<IResearchProjectGrain>(projectId).CreateAsync(Manager, new ResearchProjectDefinition
        {
            Name = "State test",
            Purpose = "export state follows storage",
            Cohort = new CohortCriteria { Modalities = ["CT"], EstablishmentIds = [establishment] },
        }, null);
        return projectId;
    }

    private static async Task<ResearchExportSnapshot> FinishedAsync(IResearchExportGrain export)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ResearchExportSnapshot? snapshot;
        while ((snapshot = await export.GetAsync()) is not { IsFinished: true } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        Assert.True(snapshot is { IsFinished: true }, "the export did not finish: " + snapshot);
        return snapshot;
    }

    [Fact]
    public async Task An_export_whose_start_or_progress_was_not_saved_is_not_taken_for_started_or_failed_and_runs_to_the_end()
    {
        var projectId = await ProjectOfTwoInstancesAsync("750000011", "RESEARCH-STATE");
        var export = fixture.Archive.Grains.GetGrain<IResearchExportGrain>(Guid.NewGuid().ToString("N"));

        fixture.Faults.Armed = IngestStep.ResearchExportWrite;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => export.StartAsync(Manager, projectId, null));
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        // Not started: a start kept in memory only would be answered as existing by the retry, and never resumed.
        Assert.Null(await export.GetAsync());

        // The start is saved, its first progress is not: the export is neither failed nor lost, it resumes from what is
        // saved and finishes.
        fixture.Faults.Arm(IngestStep.ResearchExportWrite, passFirst: 1);
        try
        {
            Assert.Equal(2, (await export.StartAsync(Manager, projectId, null)).Total);
            await fixture.Faults.Thrown(IngestStep.ResearchExportWrite).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        var snapshot = await FinishedAsync(export);
        Assert.Equal((ResearchExportStatus.Completed, 2, 0), (snapshot.Status, snapshot.Exported, snapshot.Failed));
    }

    [Fact]
    public async Task An_export_whose_end_could_not_be_audited_stays_running_and_finishes_completed_with_its_record()
    {
        var projectId = await ProjectOfTwoInstancesAsync("750000012", "RESEARCH-AUDIT");
        var exportId = Guid.NewGuid().ToString("N");
        var export = fixture.Archive.Grains.GetGrain<IResearchExportGrain>(exportId);
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool IsEnd(Mirc.Grains.Interfaces.Audit.AuditEvent e) => e.Detail?.Contains($"research export {exportId} of project {projectId} finished", StringComparison.Ordinal) == true;
        fixture.Archive.Audit.Refuse = e => IsEnd(e) && (refused.TrySetResult() || true);
        try
        {
            await export.StartAsync(Manager, projectId, null);
            await refused.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            // Unaudited, the end is not taken: still running, not failed (each look retries the end, refused again).
            Assert.Equal(ResearchExportStatus.Running, (await export.GetAsync())!.Status);
            await Task.Delay(200, Ct);
            Assert.Equal(ResearchExportStatus.Running, (await export.GetAsync())!.Status);
        }
        finally
        {
            fixture.Archive.Audit.Refuse = null;
        }

        var snapshot = await FinishedAsync(export);
        Assert.Equal((ResearchExportStatus.Completed, 2), (snapshot.Status, snapshot.Exported));
        Assert.Contains(fixture.Archive.Audit.Recorded, e => IsEnd(e) && e.Detail!.Contains("finished Completed", StringComparison.Ordinal));
    }
}
