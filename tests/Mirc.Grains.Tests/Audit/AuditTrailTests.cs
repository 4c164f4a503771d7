using System.Text;
using System.Text.Json;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>The persisted trail: batching, segments, verification against tampered storage, queries and export.</summary>
public sealed class AuditTrailTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AuditEvent Event(int i, string patient = "PAT-T") => new()
    {
        Timestamp = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero).AddMilliseconds(i),
        Action = i % 3 == 0 ? AuditAction.Store : AuditAction.Retrieve,
        ActorId = "rad" + (i % 4),
        ActorEstablishmentId = i % 2 == 0 ? "EST-A" : "EST-B",
        Source = "10.0.0." + (i % 250),
        PatientId = patient,
        StudyUids = ["1.2.840.99." + i],
        Detail = "instances=1",
    };

    [Fact]
    public async Task Concurrent_records_are_group_committed_and_chain_verifies_until_tampered()
    {
        var writesBefore = cluster.Storage.WriteCount;
        await Parallel.ForEachAsync(Enumerable.Range(1, 2000), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, ct) => await cluster.Audit.RecordAsync(Event(i), ct));
        await cluster.Audit.FlushAsync(Ct);

        // 2000 events over 16-record segments: one segment + one head write per chunk at best, 4000 writes without batching.
        Assert.True(cluster.Storage.WriteCount - writesBefore < 1000, $"{cluster.Storage.WriteCount - writesBefore} storage writes");

        var intact = await cluster.Audit.VerifyAsync(Ct);
        Assert.True(intact.IsIntact, intact.Problem);
        Assert.True(intact.RecordsChecked >= 2000);

        var segments = cluster.Storage.StatesOf<AuditSegmentState>("auditSegment").ToList();
        Assert.True(segments.Count >= 125);
        Assert.All(segments, s => Assert.True(s.Records.Count <= 16));

        // Edit one record in storage.
        var segment = segments.First(s => s.Records.Any(r => r.Sequence == 1000));
        var index = segment.Records.FindIndex(r => r.Sequence == 1000);
        var original = segment.Records[index];
        segment.Records[index] = original with { Event = original.Event with { ActorId = "mallory" } };
        var edited = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(edited.IsIntact);
        Assert.Equal(1000, edited.FirstBrokenSequence);

        // Delete one record.
        segment.Records[index] = original;
        Assert.True((await cluster.Audit.VerifyAsync(Ct)).IsIntact);
        segment.Records.RemoveAt(index);
        var deleted = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(deleted.IsIntact);
        Assert.Equal(1000, deleted.FirstBrokenSequence);

        // Cut the tail.
        segment.Records.Insert(index, original);
        var head = await cluster.Grains.GetGrain<IAuditChainGrain>(IAuditChainGrain.SingletonKey).GetHeadAsync();
        var last = segments.First(s => s.Records.Count > 0 && s.Records[^1].Sequence == head.LastSequence);
        var tail = last.Records[^1];
        last.Records.RemoveAt(last.Records.Count - 1);
        var truncated = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(truncated.IsIntact);
        Assert.Equal(head.LastSequence, truncated.FirstBrokenSequence);
        last.Records.Add(tail);
        Assert.True((await cluster.Audit.VerifyAsync(Ct)).IsIntact);
    }

    [Fact]
    public async Task Query_patient_report_and_json_lines_export()
    {
        await cluster.Audit.RecordAsync(Event(1, "PAT-REPORT") with { Action = AuditAction.Retrieve, ActorRpps = "RPPS-1" }, Ct);
        await cluster.Audit.RecordAsync(Event(2, "PAT-REPORT") with { Action = AuditAction.Query, Outcome = AuditOutcome.Denied }, Ct);
        await cluster.Audit.RecordAsync(Event(3, "PAT-REPORT") with { Action = AuditAction.Store }, Ct);
        await cluster.Audit.RecordAsync(Event(4, "PAT-OTHER") with { Action = AuditAction.Retrieve }, Ct);
        await cluster.Audit.FlushAsync(Ct);

        var records = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-REPORT" }, Ct);
        Assert.Equal(3, records.Count);
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));

        var report = await cluster.Audit.GetPatientAccessReportAsync("PAT-REPORT", Ct);
        var entry = Assert.Single(report); // denied queries and stores are not accesses to the images
        Assert.Equal("RPPS-1", entry.Who);
        Assert.Equal(AuditAction.Retrieve, entry.Action);

        var establishment = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-REPORT", ActorEstablishmentId = "EST-B" }, Ct);
        Assert.All(establishment, r => Assert.Equal("EST-B", r.Event.ActorEstablishmentId));

        using var export = new MemoryStream();
        var count = await cluster.Audit.ExportJsonLinesAsync(export, new AuditFilter { PatientId = "PAT-REPORT" }, Ct);
        Assert.Equal(3, count);
        var lines = Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var (line, record) in lines.Zip(records))
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(record.Sequence, json.RootElement.GetProperty("sequence").GetInt64());
            Assert.Equal(record.Hash, json.RootElement.GetProperty("hash").GetString());
            Assert.Equal("PAT-REPORT", json.RootElement.GetProperty("patientId").GetString());
            Assert.Equal(record.Event.Action.ToString(), json.RootElement.GetProperty("action").GetString());
        }
    }

    [Fact]
    public async Task Secrets_in_free_text_never_reach_storage()
    {
        const string token = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
        await cluster.Audit.RecordAsync(Event(7, "PAT-SECRET") with { Detail = $"Authorization: Bearer {token} password=Hunter2-Hunter2" }, Ct);
        await cluster.Audit.FlushAsync(Ct);

        var stored = cluster.Storage.StatesOf<AuditSegmentState>("auditSegment").SelectMany(s => s.Records).Single(r => r.Event.PatientId == "PAT-SECRET");
        Assert.DoesNotContain(token, stored.Event.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2-Hunter2", stored.Event.Detail, StringComparison.Ordinal);
    }
}
