using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Tests.Archive;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Research;

/// <summary>
/// A research export's state follows its storage: a start storage refused is not reported started, and a progress write
/// refused neither fails the export nor loses it.
/// </summary>
public sealed class ResearchExportStateTests(FaultyArchive fixture) : IClassFixture<FaultyArchive>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_export_whose_start_or_progress_was_not_saved_is_not_taken_for_started_or_failed_and_runs_to_the_end()
    {
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        foreach (var number in new[] { 1, 2 })
        {
            using var stream = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = number, PatientId = "RESEARCH-STATE" }.ToPart10());
            var stored = await fixture.Archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000001" } }, Ct);
            Assert.True(stored.Status == IngestStatus.Stored, stored.Detail);
        }

        var manager = TestPrincipals.Make(MircRoles.ResearchManager, "750000001", "research-manager");
        var projectId = Guid.NewGuid().ToString("N");
        await fixture.Archive.Grains.GetGrain<IResearchProjectGrain>(projectId).CreateAsync(manager, new ResearchProjectDefinition
        {
            Name = "State test",
            Purpose = "export state follows storage",
            Cohort = new CohortCriteria { Modalities = ["CT"] },
        }, null);
        var export = fixture.Archive.Grains.GetGrain<IResearchExportGrain>(Guid.NewGuid().ToString("N"));

        fixture.Faults.Armed = IngestStep.ResearchExportWrite;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => export.StartAsync(manager, projectId, null));
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
            Assert.Equal(2, (await export.StartAsync(manager, projectId, null)).Total);
            await fixture.Faults.Thrown(IngestStep.ResearchExportWrite).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        ResearchExportSnapshot? snapshot;
        while ((snapshot = await export.GetAsync()) is not { IsFinished: true } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal((ResearchExportStatus.Completed, 2, 0), (snapshot!.Status, snapshot.Exported, snapshot.Failed));
    }
}
