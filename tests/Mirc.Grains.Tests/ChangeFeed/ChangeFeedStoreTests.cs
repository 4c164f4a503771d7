using Mirc.Grains.ChangeFeed;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// Both feed stores (embedded SQLite, cluster PostgreSQL): two writers sharing one database — two silos — get one
/// gap-free order, pages follow the sequence, the latest event and the per-establishment filter answer from the same
/// table, the state is derived from later events, and studies come out in the order they first arrived.
/// </summary>
public sealed class ChangeFeedStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_writers_share_one_ordered_feed_that_pages_filters_and_derives_states(string engine)
    {
        var (first, second, cleanup) = await OpenTwoAsync(engine);
        try
        {
            Assert.Null(await first.LatestAsync(null, Ct));
            Assert.Empty(await first.ReadAsync(0, 10, null, Ct));

            // 40 concurrent appends of two events each, alternating writers and establishments.
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? first : second).AppendAsync(
                [Event(ChangeFeedAction.Create, "1.2." + i, "1.2." + i + ".1", i % 2 == 0 ? "EST-A" : "EST-B"),
                 Event(ChangeFeedAction.Create, "1.2." + i, "1.2." + i + ".2", i % 2 == 0 ? "EST-A" : "EST-B")], Ct)));

            var all = await second.ReadAsync(0, 1000, null, Ct);
            Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), all.Select(e => e.Sequence));
            // One append stays contiguous: its two events are neighbours.
            Assert.All(all.Chunk(2), pair => Assert.Equal(pair[0].StudyInstanceUid, pair[1].StudyInstanceUid));
            Assert.All(all, e => Assert.Equal(ChangeFeedState.Current, e.State));

            // Paging: offset is the last sequence read.
            var page = await first.ReadAsync(0, 30, null, Ct);
            var rest = await first.ReadAsync(page[^1].Sequence, 100, null, Ct);
            Assert.Equal(all.Select(e => e.Sequence), page.Concat(rest).Select(e => e.Sequence));

            // Filter by establishment, and the latest of each.
            var ofB = await first.ReadAsync(0, 1000, "EST-B", Ct);
            Assert.Equal(40, ofB.Count);
            Assert.All(ofB, e => Assert.Equal("EST-B", e.EstablishmentId));
            Assert.Equal(80, (await first.LatestAsync(null, Ct))!.Sequence);
            Assert.Equal(all.Last(e => e.EstablishmentId == "EST-A").Sequence, (await first.LatestAsync("EST-A", Ct))!.Sequence);
            Assert.Null(await first.LatestAsync("EST-NONE", Ct));

            // States: a later Delete marks every event of the instance deleted; a later Create marks it replaced.
            await first.AppendAsync([Event(ChangeFeedAction.Delete, "1.2.0", "1.2.0.1", "EST-A")], Ct);
            await second.AppendAsync([Event(ChangeFeedAction.Update, "1.2.1", "1.2.1.1", "EST-B")], Ct);
            // The concurrent appends landed in any order: find the deleted instance's Create by its UID.
            var states = (await first.ReadAsync(0, 1000, null, Ct)).ToDictionary(e => e.Sequence, e => e.State);
            var deletedCreate = all.Single(e => e.SopInstanceUid == "1.2.0.1").Sequence;
            var itsNeighbour = all.Single(e => e.SopInstanceUid == "1.2.0.2").Sequence;
            Assert.Equal(ChangeFeedState.Deleted, states[deletedCreate]);
            Assert.Equal(ChangeFeedState.Deleted, states[81]);
            Assert.Equal(ChangeFeedState.Current, states[itsNeighbour]);
            var update = Assert.Single(await first.StudyEventsAsync("1.2.1", Ct), e => e.Action == ChangeFeedAction.Update);
            Assert.Equal(ChangeFeedState.Current, update.State);
            Assert.Equal(ChangeFeedState.Replaced, Assert.Single(await first.StudyEventsAsync("1.2.1", Ct), e => e.SopInstanceUid == "1.2.1.1" && e.Action == ChangeFeedAction.Create).State);

            // Every field round-trips.
            var latest = (await first.LatestAsync(null, Ct))!;
            Assert.Equal(("1.2.1", "1.2.1.1.series", "1.2.1.1", ChangeFeedAction.Update, "EST-B", "PAT-1.2.1"),
                (latest.StudyInstanceUid, latest.SeriesInstanceUid, latest.SopInstanceUid, latest.Action, latest.EstablishmentId, latest.PatientId));
            Assert.InRange(latest.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

            // Studies in the order of their first event, paged by that event's sequence.
            var studies = await first.StudiesAsync(0, 25, Ct);
            Assert.Equal(25, studies.Count);
            var more = await first.StudiesAsync(studies[^1].FirstSequence, 100, Ct);
            Assert.Equal(40, studies.Count + more.Count);
            Assert.Equal(all.Select(e => e.StudyInstanceUid).Distinct(), studies.Concat(more).Select(s => s.StudyInstanceUid));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            cleanup();
        }
    }

    internal static ChangeFeedEvent Event(ChangeFeedAction action, string study, string sop, string establishment) => new()
    {
        StudyInstanceUid = study,
        SeriesInstanceUid = sop + ".series",
        SopInstanceUid = sop,
        Action = action,
        EstablishmentId = establishment,
        PatientId = "PAT-" + study,
    };

    private async Task<(RelationalChangeFeed First, RelationalChangeFeed Second, Action Cleanup)> OpenTwoAsync(string engine)
    {
        if (engine == "postgres")
        {
            var connection = await postgres.CreateSchemaAsync();
            return (new PostgresChangeFeed(connection), new PostgresChangeFeed(connection), () => { });
        }

        var folder = TestEnvironment.NewTempDirectory("feed");
        var path = Path.Combine(folder, "changefeed.db");
        return (new SqliteChangeFeed(path), new SqliteChangeFeed(path), () => Directory.Delete(folder, recursive: true));
    }
}
