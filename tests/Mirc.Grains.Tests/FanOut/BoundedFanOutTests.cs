using Mirc.Grains.FanOut;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.FanOut;

/// <summary>
/// A patient with 300 studies is served whole, its study grains asked at most <see cref="BoundedFanOut.DefaultParallelism"/>
/// at a time (the fan-out's bound itself measured with calls that overlap for real).
/// </summary>
public sealed class BoundedFanOutTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    [Fact]
    public async Task At_most_the_bound_is_in_flight_and_results_keep_the_items_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var inFlight = 0;
        var peak = 0;
        var items = Enumerable.Range(0, 300).ToArray();
        var results = await BoundedFanOut.SelectAsync(items, async (item, token) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(2, token);
            Interlocked.Decrement(ref inFlight);
            return item * 2;
        }, maxParallelism: 16, cancellationToken: ct);

        Assert.Equal(items.Select(i => i * 2), results);
        Assert.InRange(peak, 2, 16); // overlapping, and bounded
    }

    [Fact]
    public async Task A_patient_with_300_studies_is_served_with_every_study_refreshed()
    {
        var ct = TestContext.Current.CancellationToken;
        var patientKey = "FANOUT-" + Guid.NewGuid().ToString("N")[..8];
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-FANOUT" } };
        string patientId;
        using (var first = new MemoryStream(new SyntheticInstance { PatientId = patientKey }.ToPart10()))
        {
            var outcome = await archive.Ingestor.IngestAsync(first, request, ct);
            Assert.Equal(IngestStatus.Stored, outcome.Status);
            patientId = outcome.PatientId!;
        }

        var patient = archive.Grains.GetGrain<IPatientGrain>(patientId);
        var stored = (await patient.GetAsync()).Studies.Single();
        // 299 more study references to empty study grains, added the way the ingest adds them.
        var uids = Enumerable.Range(1, 299).Select(_ => SyntheticInstance.NewUid()).ToArray();
        foreach (var uid in uids)
        {
            await patient.UpsertStudyAsync(new StudyReference { StudyInstanceUid = uid, EstablishmentId = "EST-FANOUT", InstanceCount = 7 });
        }

        archive.Calls.Reset();
        var record = await patient.GetAsync();
        // Each reference refreshed from its study grain: the empty ones hold nothing of the patient and are not shown.
        var shown = Assert.Single(record.Studies);
        Assert.Equal((stored.StudyInstanceUid, 1), (shown.StudyInstanceUid, shown.InstanceCount));
        // One summary per study, no more (the bound changes how many at once, not how many).
        Assert.Equal(300, archive.Calls.Snapshot().Where(c => c.Key.Contains("IStudyGrain", StringComparison.Ordinal)
            && c.Key.Contains("GetSummary", StringComparison.Ordinal)).Sum(c => c.Value));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
