using Mirc.Grains.Audit;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>
/// The audit's patient attribution reads the query index (a projection of the feed): one record naming studies of two
/// patients becomes one per patient, and only a study the index does not hold is asked of its study grain.
/// </summary>
public sealed class AuditPatientResolverTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Study, string Patient)> StoreAsync(string patientKey)
    {
        using var stream = new MemoryStream(new SyntheticInstance { PatientId = patientKey }.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-AUDIT" } }, Ct);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        return (outcome.StudyInstanceUid!, outcome.PatientId!);
    }

    [Fact]
    public async Task Patients_come_from_the_index_and_only_studies_it_lacks_are_asked_of_their_grain()
    {
        var (a, patientA) = await StoreAsync("AUDIT-RESOLVE-A");
        var (b, patientB) = await StoreAsync("AUDIT-RESOLVE-B");
        var (unindexed, patientC) = await StoreAsync("AUDIT-RESOLVE-C");
        Assert.True(await archive.Index.DeleteStudyAsync(unindexed, Ct)); // lost behind the archive's back
        var unknown = SyntheticInstance.NewUid();
        var retrieve = new AuditEvent
        {
            Timestamp = DateTimeOffset.UtcNow,
            Action = AuditAction.Retrieve,
            ActorId = "rad",
            StudyUids = [a, b, unindexed, unknown],
        };

        archive.Calls.Reset();
        var resolved = await new AuditPatientResolver(archive.Grains, archive.Index).ResolveAsync([retrieve], Ct);

        Assert.Equal([a], Assert.Single(resolved, e => e.PatientId == patientA).StudyUids);
        Assert.Equal([b], Assert.Single(resolved, e => e.PatientId == patientB).StudyUids);
        Assert.Equal([unindexed], Assert.Single(resolved, e => e.PatientId == patientC).StudyUids);
        Assert.Equal([unknown], Assert.Single(resolved, e => e.PatientId is null).StudyUids);
        Assert.Equal(4, resolved.Count);
        var summaryCalls = archive.Calls.Snapshot()
            .Where(c => c.Key.Contains(nameof(IStudyGrain), StringComparison.Ordinal) && c.Key.Contains("GetSummary", StringComparison.Ordinal))
            .Sum(c => c.Value);
        Assert.Equal(2, summaryCalls);
    }
}
