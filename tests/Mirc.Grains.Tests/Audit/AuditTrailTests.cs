using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>The persisted trail: group commit, verification against a tampered table, indexed queries and export.</summary>
public sealed class AuditTrailTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static AuditEvent Event(int i, string patient = "PAT-T") => new()
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

    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = cluster.AuditStore.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private int Execute(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Concurrent_records_are_group_committed_and_chain_verifies_until_tampered()
    {
        var commitsBefore = cluster.AuditStore.Commits;
        await Parallel.ForEachAsync(Enumerable.Range(1, 2000), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct },
            async (i, ct) => await cluster.Audit.RecordAsync(Event(i, "PAT-CHAIN"), ct));

        // Each caller waited for its own durable commit, yet concurrent callers shared commits.
        var commits = cluster.AuditStore.Commits - commitsBefore;
        Assert.True(commits < 2000, $"{commits} commits for 2000 records");

        var intact = await cluster.Audit.VerifyAsync(Ct);
        Assert.True(intact.IsIntact, intact.Problem);
        Assert.True(intact.RecordsChecked >= 2000);
        var targetRecord = (await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-CHAIN", Limit = 1000 }, Ct))[^1];
        var target = targetRecord.Sequence;

        // Edit one record in the table.
        Assert.Equal(1, Execute($"UPDATE audit_records SET actor_id = 'mallory' WHERE seq = {target}"));
        var edited = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(edited.IsIntact);
        Assert.Equal(target, edited.FirstBrokenSequence);
        // Restored to the record's own actor (concurrent callers commit in no fixed order: which event it is varies).
        Execute($"UPDATE audit_records SET actor_id = '{targetRecord.Event.ActorId}' WHERE seq = {target}");
        Assert.True((await cluster.Audit.VerifyAsync(Ct)).IsIntact);

        // Delete one record (kept aside, then put back).
        Execute($"CREATE TABLE IF NOT EXISTS kept AS SELECT * FROM audit_records WHERE 0; DELETE FROM kept; INSERT INTO kept SELECT * FROM audit_records WHERE seq = {target}");
        Execute($"DELETE FROM audit_records WHERE seq = {target}");
        var deleted = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(deleted.IsIntact);
        Assert.Equal(target, deleted.FirstBrokenSequence);
        Execute("INSERT INTO audit_records SELECT * FROM kept");

        // Cut the tail: the head row still names the last record.
        var head = await cluster.AuditStore.GetHeadAsync(Ct);
        Execute($"DELETE FROM kept; INSERT INTO kept SELECT * FROM audit_records WHERE seq = {head.LastSequence}; DELETE FROM audit_records WHERE seq = {head.LastSequence}");
        var truncated = await cluster.Audit.VerifyAsync(Ct);
        Assert.False(truncated.IsIntact);
        Assert.Equal(head.LastSequence, truncated.FirstBrokenSequence);
        Execute("INSERT INTO audit_records SELECT * FROM kept; DROP TABLE kept");
        Assert.True((await cluster.Audit.VerifyAsync(Ct)).IsIntact);
    }

    [Fact]
    public async Task Query_patient_report_and_json_lines_export()
    {
        await cluster.Audit.RecordAsync(Event(1, "PAT-REPORT") with { Action = AuditAction.Retrieve, ActorRpps = "RPPS-1" }, Ct);
        await cluster.Audit.RecordAsync(Event(2, "PAT-REPORT") with { Action = AuditAction.Query, Outcome = AuditOutcome.Denied }, Ct);
        await cluster.Audit.RecordAsync(Event(3, "PAT-REPORT") with { Action = AuditAction.Store }, Ct);
        await cluster.Audit.RecordAsync(Event(4, "PAT-OTHER") with { Action = AuditAction.Retrieve }, Ct);
        await cluster.Audit.RecordAsync(Event(5, "PAT-REPORT") with { Action = AuditAction.Query, ActorRpps = "RPPS-2", RequiresReview = true }, Ct);

        var records = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-REPORT" }, Ct);
        Assert.Equal(4, records.Count);
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));

        var report = await cluster.Audit.GetPatientAccessReportAsync("PAT-REPORT", Ct);
        Assert.Equal(2, report.Count); // denied queries and stores are not accesses to the images
        Assert.Equal(("RPPS-1", AuditAction.Retrieve, false), (report[0].Who, report[0].Action, report[0].Emergency));
        Assert.Equal(("RPPS-2", AuditAction.Query, true), (report[1].Who, report[1].Action, report[1].Emergency));

        var establishment = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-REPORT", ActorEstablishmentId = "EST-B" }, Ct);
        Assert.Equal([1, 3, 5], establishment.Select(r => (int)(r.Event.Timestamp.Millisecond)));
        var review = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-REPORT", OnlyRequiringReview = true }, Ct);
        Assert.Equal("RPPS-2", Assert.Single(review).Event.ActorRpps);
        var window = await cluster.Audit.QueryAsync(new AuditFilter
        {
            PatientId = "PAT-REPORT",
            From = Event(2).Timestamp,
            To = Event(5).Timestamp,
            Actions = [AuditAction.Query, AuditAction.Store],
        }, Ct);
        Assert.Equal([AuditAction.Query, AuditAction.Store], window.Select(r => r.Event.Action));

        using var export = new MemoryStream();
        var count = await cluster.Audit.ExportJsonLinesAsync(export, new AuditFilter { PatientId = "PAT-REPORT" }, Ct);
        Assert.Equal(4, count);
        var lines = Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
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

        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT detail FROM audit_records WHERE patient_id = 'PAT-SECRET'";
        var stored = (string)command.ExecuteScalar()!;
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2-Hunter2", stored, StringComparison.Ordinal);
        Assert.Contains("[redacted]", stored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("patient", "ix_audit_patient")]
    [InlineData("actor", "ix_audit_actor")]
    [InlineData("establishment", "ix_audit_establishment")]
    [InlineData("time", "ix_audit_time")]
    public async Task Trail_reads_seek_their_index_instead_of_scanning_from_the_first_record(string by, string index)
    {
        await cluster.Audit.RecordAsync(Event(9), Ct); // the schema exists
        var filter = by switch
        {
            "patient" => new AuditFilter { PatientId = "PAT-T", Actions = [AuditAction.Query, AuditAction.Retrieve] },
            "actor" => new AuditFilter { ActorId = "rad1", From = Event(0).Timestamp },
            "establishment" => new AuditFilter { ActorEstablishmentId = "EST-A" },
            _ => new AuditFilter { From = Event(0).Timestamp, To = Event(10).Timestamp },
        };
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        RelationalAuditStore.BuildSelect(command, filter, 0, 1000);
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        var plan = new StringBuilder();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) plan.AppendLine(reader.GetString(3));
        }

        Assert.Contains($"USING INDEX {index}", plan.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN audit_records", plan.ToString(), StringComparison.Ordinal);
    }
}
