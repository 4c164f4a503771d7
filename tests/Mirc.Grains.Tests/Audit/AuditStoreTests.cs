using Mirc.Grains.Audit;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>
/// Both audit stores (embedded SQLite, cluster PostgreSQL): two writers sharing one database — two silos — extend a
/// single chain, reads filter on the indexed columns and round-trip every field, and import only continues the head.
/// </summary>
public sealed class AuditStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_writers_extend_one_chain_that_verifies(string engine)
    {
        var (first, second, cleanup) = await OpenTwoAsync(engine);
        try
        {
            await first.InitializeAsync(Ct);
            await second.InitializeAsync(Ct);
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
                (i % 2 == 0 ? first : second).AppendAsync([AuditTrailTests.Event(i * 2, "PAT-" + (i % 3)), AuditTrailTests.Event(i * 2 + 1)], Ct)));

            var all = await first.ReadAsync(new AuditFilter(), 0, 1000, Ct);
            Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), all.Select(r => r.Sequence));
            var verifier = new AuditChainVerifier();
            Assert.All(all, r => Assert.True(verifier.Accept(r), verifier.Failure?.Problem));
            var verification = verifier.Complete(await second.GetHeadAsync(Ct));
            Assert.True(verification.IsIntact, verification.Problem);

            // Every field comes back as it was hashed; filters and keyset paging select on the indexed columns.
            var original = AuditTrailTests.Event(3, "PAT-ROUND") with
            {
                ActorRpps = "10000000001", ActorRoles = "Radiologist", Outcome = AuditOutcome.Denied, RequiresReview = true,
                StudyUids = ["1.2.3", "1.2.4"], Detail = "é ü ß",
            };
            await second.AppendAsync([original], Ct);
            var back = Assert.Single(await first.ReadAsync(new AuditFilter { PatientId = "PAT-ROUND", OnlyRequiringReview = true }, 0, 10, Ct));
            Assert.Equal(original.StudyUids, back.Event.StudyUids);
            Assert.Equal(original with { StudyUids = back.Event.StudyUids }, back.Event);
            var page = await first.ReadAsync(new AuditFilter { PatientId = "PAT-0" }, 0, 5, Ct);
            var next = await first.ReadAsync(new AuditFilter { PatientId = "PAT-0" }, page[^1].Sequence, 100, Ct);
            Assert.Equal(14, page.Count + next.Count);
            Assert.True(next[0].Sequence > page[^1].Sequence);

            // Import adds only what continues the head.
            var head = await first.GetHeadAsync(Ct);
            var continuing = AuditCanonicalForm.Seal(head.LastSequence + 1, AuditTrailTests.Event(99), head.LastHash);
            var gap = AuditCanonicalForm.Seal(head.LastSequence + 3, AuditTrailTests.Event(100), continuing.Hash);
            Assert.Equal(1, await second.ImportAsync([all[0], continuing, gap], Ct));
            Assert.Equal(continuing.Hash, (await first.GetHeadAsync(Ct)).LastHash);
        }
        finally
        {
            await cleanup();
        }
    }

    private async Task<(IAuditStore, IAuditStore, Func<Task>)> OpenTwoAsync(string engine)
    {
        if (engine == "postgres")
        {
            var connectionString = await postgres.CreateSchemaAsync();
            var a = new PostgresAuditStore(connectionString);
            var b = new PostgresAuditStore(connectionString);
            return (a, b, async () => { await a.DisposeAsync(); await b.DisposeAsync(); });
        }

        var folder = Directory.CreateTempSubdirectory("mirc-audit-store-").FullName;
        var path = Path.Combine(folder, "audit.db");
        var first = new SqliteAuditStore(path);
        var second = new SqliteAuditStore(path);
        return (first, second, async () =>
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        });
    }
}
