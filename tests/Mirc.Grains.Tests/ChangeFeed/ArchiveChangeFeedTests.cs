using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// The feed as the whole archive writes it: a Create per acknowledged store, nothing for a refused one, a Delete per
/// instance of a deleted study; and the query index rebuilt from it answers exactly as before it was dropped.
/// </summary>
public sealed class ArchiveChangeFeedTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private const string Establishment = "EST-FEED";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IChangeFeed Feed => archive.Services.GetRequiredService<IChangeFeed>();

    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance) => await IngestBytesAsync(instance.ToPart10());

    private async Task<IngestOutcome> IngestBytesAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = Establishment } }, Ct);
    }

    [Fact]
    public async Task Each_acknowledged_store_has_its_create_event_and_a_refused_store_none()
    {
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var first = new SyntheticInstance { StudyUid = study, SeriesUid = series, PatientId = "FEED-1", InstanceNumber = 1 };
        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        var stored = new[] { await IngestAsync(first), await IngestAsync(second) };
        Assert.All(stored, o => Assert.Equal(IngestStatus.Stored, o.Status));

        var events = await Feed.StudyEventsAsync(study, Ct);
        Assert.Equal([first.SopUid, second.SopUid], events.Select(e => e.SopInstanceUid));
        Assert.All(events, e =>
        {
            Assert.Equal(ChangeFeedAction.Create, e.Action);
            Assert.Equal(ChangeFeedState.Current, e.State);
            Assert.Equal(series, e.SeriesInstanceUid);
            Assert.Equal(Establishment, e.EstablishmentId);
            Assert.Equal(stored[0].PatientId, e.PatientId);
        });
        Assert.True(events[1].Sequence > events[0].Sequence);

        // Refused: other bytes under a stored SOP Instance UID, another patient for the study, not DICOM at all. The
        // same bytes again is an idempotent success that commits nothing new: no event either.
        var latest = (await Feed.LatestAsync(null, Ct))!.Sequence;
        Assert.Equal(IngestStatus.DuplicateConflict, (await IngestAsync(first with { PixelSeed = 7 })).Status);
        Assert.Equal(IngestStatus.DataSetMismatch, (await IngestAsync(first with { SopUid = SyntheticInstance.NewUid(), PatientId = "FEED-OTHER" })).Status);
        Assert.Equal(IngestStatus.CannotUnderstand, (await IngestBytesAsync("not a DICOM file, only some text"u8.ToArray())).Status);
        Assert.Equal(IngestStatus.AlreadyStored, (await IngestAsync(first)).Status);
        Assert.Equal(latest, (await Feed.LatestAsync(null, Ct))!.Sequence);
    }

    [Fact]
    public async Task Deleting_a_study_appends_a_delete_per_instance_and_marks_its_creates_deleted()
    {
        var study = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 3).Select(n => new SyntheticInstance { StudyUid = study, PatientId = "FEED-DEL", InstanceNumber = n }).ToArray();
        foreach (var instance in instances)
        {
            Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
        }

        await archive.Grains.GetGrain<IStudyGrain>(study).DeleteAsync("retention period over", "retention");

        var events = await Feed.StudyEventsAsync(study, Ct);
        Assert.Equal(6, events.Count);
        Assert.All(events.Take(3), e => Assert.Equal(ChangeFeedAction.Create, e.Action));
        Assert.Equal(instances.Select(i => i.SopUid).Order(), events.Skip(3).Select(e => e.SopInstanceUid).Order());
        Assert.All(events.Skip(3), e => Assert.Equal(ChangeFeedAction.Delete, e.Action));
        Assert.All(events, e => Assert.Equal(ChangeFeedState.Deleted, e.State));
    }

    [Fact]
    public async Task A_study_moved_to_another_patient_appends_an_update_per_instance()
    {
        var study = SyntheticInstance.NewUid();
        var instance = new SyntheticInstance { StudyUid = study, PatientId = "FEED-MOVE" };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);

        await archive.Grains.GetGrain<IStudyGrain>(study).ReassignPatientAsync("REGIONAL-MOVED");

        var events = await Feed.StudyEventsAsync(study, Ct);
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Update], events.Select(e => e.Action));
        Assert.Equal(ChangeFeedState.Replaced, events[0].State);
        Assert.Equal((instance.SopUid, "REGIONAL-MOVED", ChangeFeedState.Current), (events[1].SopInstanceUid, events[1].PatientId, events[1].State));

        // The move was made on the grain alone (the index still names the old patient): take the study away so the
        // rebuild test of this class compares a consistent archive.
        await archive.Grains.GetGrain<IStudyGrain>(study).DeleteAsync("test", "test");
    }

    [Fact]
    public async Task The_index_rebuilt_from_the_feed_gives_the_same_answers()
    {
        // Three studies, several series, two patients; one deleted study the rebuild must leave out.
        for (var s = 0; s < 3; s++)
        {
            var study = SyntheticInstance.NewUid();
            for (var series = 1; series <= s + 1; series++)
            {
                var seriesUid = SyntheticInstance.NewUid();
                for (var n = 1; n <= 2; n++)
                {
                    var instance = new SyntheticInstance { StudyUid = study, SeriesUid = seriesUid, SeriesNumber = series, InstanceNumber = n, PatientId = "FEED-RE-" + (s % 2), Modality = series == 2 ? "MR" : "CT" };
                    Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
                }
            }
        }

        var gone = SyntheticInstance.NewUid();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(new SyntheticInstance { StudyUid = gone, PatientId = "FEED-RE-0" })).Status);
        await archive.Grains.GetGrain<IStudyGrain>(gone).DeleteAsync("test", "test");
        var before = await AnswersAsync();
        Assert.Contains("FEED-RE-1", before, StringComparison.Ordinal);

        // Drop every row, then rebuild in small steps.
        var all = await Feed.StudiesAsync(0, 10_000, Ct);
        foreach (var study in all)
        {
            await archive.Index.DeleteStudyAsync(study.StudyInstanceUid, Ct);
        }

        Assert.Equal(0, await archive.Index.CountAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All), Ct));
        var rebuilder = archive.Services.GetRequiredService<QueryIndexRebuilder>();
        var (cursor, steps, instances) = (0L, 0, 0);
        while (true)
        {
            var step = await rebuilder.RebuildAsync(cursor, 2, Ct);
            (cursor, steps, instances) = (step.NextCursor, steps + 1, instances + step.Instances);
            Assert.Equal(0, step.Unreadable);
            if (step.Done)
            {
                break;
            }
        }

        Assert.True(steps >= all.Count / 2);
        Assert.Equal(await archive.Index.CountAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All), Ct), instances);
        Assert.Equal(before, await AnswersAsync());
        Assert.Null(await archive.Index.GetStudyAsync(gone, Ct));
    }

    private async Task<string> AnswersAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var level in new[] { QueryLevel.Patient, QueryLevel.Study, QueryLevel.Series, QueryLevel.Image })
        {
            foreach (var row in await archive.Index.QueryAsync(new IndexQuery(level, IndexAuthorization.All) { Limit = IndexQuery.MaxLimit }, Ct))
            {
                text.AppendLine(string.Join('|', row.OrderBy(p => p.Key).Select(p => $"{p.Key:X8}={p.Value}")));
            }
        }

        return text.ToString();
    }
}
