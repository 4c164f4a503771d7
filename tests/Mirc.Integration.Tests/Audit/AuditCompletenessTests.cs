using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirc.Dicom;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Audit;

/// <summary>
/// dcmtk against the real host whose audit database breaks, then a restart on the same data folder: no DIMSE response
/// served data (C-STORE 0000, C-FIND matches, C-GET sub-operations) without its access record, and every response that
/// did is on record after the restart.
/// </summary>
public sealed class AuditCompletenessTests : IDisposable
{
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _work.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task With_the_audit_commit_path_down_nothing_is_served_and_after_restart_every_served_access_is_on_record()
    {
        var ct = TestContext.Current.CancellationToken;
        var recorded = new SyntheticStudy("PAT-AUDIT-OK", "TRACE^Ok", 1, 2);
        var unrecorded = new SyntheticStudy("PAT-AUDIT-DOWN", "TRACE^Down", 1, 1);
        var store = new BreakableAuditStore(Path.Combine(_data.Path, "audit.db"));
        var fastRetries = new Dictionary<string, string?> { ["Mirc:Audit:RetryDelay"] = "00:00:00.050" };
        await using (var host = new MircHostFactory(_data.Path, fastRetries, s => s.Replace(ServiceDescriptor.Singleton<IAuditStore>(store))))
        {
            var port = host.DicomPort.ToString();
            _ = host.Server;
            var files = await recorded.WriteAsync(Path.Combine(_work.Path, "ok"), DicomTransferSyntax.ExplicitVRLittleEndian);
            var served = await Dcmtk.RunOkAsync("storescu", ["-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", port, .. files]);
            Assert.Equal(2, served.Combined.Split("Received Store Response (Success)").Length - 1);

            store.Broken = true;

            // C-STORE: the instance is not acknowledged.
            var downFiles = await unrecorded.WriteAsync(Path.Combine(_work.Path, "down"), DicomTransferSyntax.ExplicitVRLittleEndian);
            var stored = await Dcmtk.RunAsync("storescu", ["-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", port, .. downFiles]);
            Assert.DoesNotContain("Received Store Response (Success)", stored.Combined, StringComparison.Ordinal);

            // C-FIND: no match is sent.
            var found = await Dcmtk.RunAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientID=PAT-AUDIT-OK", "-k", "StudyInstanceUID", "127.0.0.1", port);
            Assert.DoesNotContain(recorded.StudyUid, found.Combined, StringComparison.Ordinal);

            // C-GET: no sub-operation delivers an instance.
            var output = Path.Combine(_work.Path, "got-down");
            Directory.CreateDirectory(output);
            await Dcmtk.RunAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
                "-k", $"StudyInstanceUID={recorded.StudyUid}", "127.0.0.1", port);
            Assert.Empty(Directory.GetFiles(output));
        }

        await store.DisposeAsync();

        // Restart on the same folder with the ordinary store: the served store is on record, the chain is intact, and
        // the refused operations left no success record behind.
        await using var restarted = new MircHostFactory(_data.Path);
        var restartedPort = restarted.DicomPort.ToString();
        _ = restarted.Server;
        var audit = restarted.Services.GetRequiredService<IAuditTrail>();
        var stores = await audit.QueryAsync(new AuditFilter { ActorId = "ae:STORESCU", Actions = [AuditAction.Store] }, ct);
        // One record for the association's two instances of the study (IHE ATNA: per study per association).
        Assert.Single(stores, r => r.Event.StudyUids.Contains(recorded.StudyUid) && r.Event.Outcome == AuditOutcome.Success);
        Assert.DoesNotContain(stores, r => r.Event.StudyUids.Contains(unrecorded.StudyUid) && r.Event.Outcome == AuditOutcome.Success);
        var accesses = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Query, AuditAction.Retrieve] }, ct);
        Assert.DoesNotContain(accesses, r => r.Event.StudyUids.Contains(recorded.StudyUid));
        var verification = await audit.VerifyAsync(ct);
        Assert.True(verification.IsIntact, verification.Problem);

        // And serving resumes, audited.
        var again = Path.Combine(_work.Path, "got-again");
        Directory.CreateDirectory(again);
        await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "-od", again, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={recorded.StudyUid}", "127.0.0.1", restartedPort);
        Assert.Equal(2, Directory.GetFiles(again).Length);
        Assert.Single(await audit.QueryAsync(new AuditFilter { ActorId = "ae:GETSCU", Actions = [AuditAction.Retrieve] }, ct),
            r => r.Event.StudyUids.Contains(recorded.StudyUid) && r.Event.Outcome == AuditOutcome.Success);
    }
}
