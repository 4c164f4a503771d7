using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Security;
using Xunit;

namespace Mirc.Integration.Tests.Retention;

/// <summary>
/// Retention with a real clock jump: studies of establishments kept 20, 21 and 30 years are stored today, then the
/// built silo (<c>dotnet Mirc.Silo.dll</c>, embedded mode) restarts under Debian's libfaketime 21 × 365 days ahead.
/// Its sweep reminder erases exactly the 20-year studies (21 × 365 days is a few leap days short of 21 years), each
/// with one audit record stamped in the future, and leaves everything else served.
/// </summary>
public sealed class FakeClockRetentionTests : IDisposable
{
    private const string LibFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task A_silo_restarted_21_years_ahead_erases_exactly_the_expired_studies_with_one_audit_record_each()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(LibFakeTime), "libfaketime not installed (Debian package faketime): " + LibFakeTime);

        // Seed index 0 is the demo establishment of appsettings.json (20 years, AE title STORESCU); two more are added.
        // Events projected as soon as appended: the follower registers the studies in their retention buckets today.
        var seed = new Dictionary<string, string?> { ["Mirc:ChangeFeed:Follower:SettleDelay"] = "00:00:00" };
        AddEstablishment(seed, 1, "750000021", years: 21, aeTitle: "KEEP21");
        AddEstablishment(seed, 2, "750000030", years: 30, aeTitle: "KEEP30");

        var expired = new[] { new SyntheticStudy("PAT-FT-1", "EXPIRED^One", 1, 2), new SyntheticStudy("PAT-FT-2", "EXPIRED^Two", 2, 1) };
        var kept21 = new SyntheticStudy("PAT-FT-3", "KEPT^TwentyOne", 1, 2);
        var kept30 = new SyntheticStudy("PAT-FT-1", "EXPIRED^One", 1, 1); // same patient as an expired study: only that one goes
        await using (var today = new MircHostFactory(_data.Path, seed))
        {
            _ = today.Server;
            await StoreAsync(today, "STORESCU", expired[0], "e0");
            await StoreAsync(today, "STORESCU", expired[1], "e1");
            await StoreAsync(today, "KEEP21", kept21, "k21");
            await StoreAsync(today, "KEEP30", kept30, "k30");

            // The retention buckets are a projection of the change feed: the follower has registered every study
            // before this silo stops (its timer would within seconds; here it is driven to the feed's head).
            var follower = today.Services.GetRequiredService<IGrainFactory>().GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);
            for (var i = 0; i < 100 && (await follower.CatchUpAsync(50)).Lag > 0; i++)
            {
            }

            Assert.Equal(0, (await follower.GetStatusAsync()).Lag);

            // Control: today the demo establishment's queries list its two studies (so "not listed" later means erased).
            using var demo = today.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist));
            var listed = await GetAsync(demo, "/dicomweb/studies", ct);
            foreach (var study in expired) Assert.Contains(study.StudyUid, listed, StringComparison.Ordinal);
        }

        // The restart under libfaketime: wall-clock time is 21 × 365 days ahead; the monotonic clock (.NET's timers,
        // Orleans' watchdogs) is left alone, and so are file times: by default libfaketime also shifts what stat()
        // returns but not what futimens() sets, so a file stamped "now" (our file store's ETag) would read back 21 years
        // later still and every conditional write would see a conflict that no real clock produces.
        await using (var future = SiloProcess.Start(
            SiloProcess.OwnArguments(
                _data.Path,
                // Not 1 s: Orleans' reminder service drops a tick still undelivered when a table refresh computes the
                // next occurrence (start-up refreshes follow membership changes), seen here under load; 10 s clears them.
                "--Mirc:Retention:FirstSweepDelay=00:00:10",
                "--Logging:Console:TimestampFormat=HH:mm:ss.fff "),
            new Dictionary<string, string>
            {
                ["LD_PRELOAD"] = LibFakeTime,
                ["FAKETIME"] = "+21y",
                ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
                ["NO_FAKE_STAT"] = "1",
            },
            _work.Path))
        {
            // Start-up is bounded like any silo start (a loaded CI machine needs a while); the sweep then runs
            // FirstSweepDelay after the silo's activation and must be done within 60 s of the silo being up.
            await future.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90), ct);
            var up = Stopwatch.StartNew();
            // The sweep's own summary line: both 20-year studies handed and erased, none left for a retry.
            await future.WaitForOutputAsync("Retention sweep: 2 expired study(ies), 0 awaiting their bucket's retry, dry run False",
                TimeSpan.FromSeconds(60), ct);
            Assert.True(up.Elapsed < TimeSpan.FromSeconds(60), $"erasure took {up.Elapsed} after start-up");
            await future.StopAsync();
            Assert.DoesNotContain("InconsistentStateException", future.Output, StringComparison.Ordinal);
        }


        // Back to today's clock: read what the future silo left.
        await using var after = new MircHostFactory(_data.Path, seed);
        _ = after.Server;
        var grains = after.Services.GetRequiredService<IGrainFactory>();
        foreach (var study in expired)
        {
            var summary = await grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync();
            Assert.Equal(StudyStatus.Deleted, summary.Status);
            Assert.Equal(0, summary.InstanceCount);
        }

        foreach (var study in new[] { kept21, kept30 })
        {
            var summary = await grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync();
            Assert.NotEqual(StudyStatus.Deleted, summary.Status);
            Assert.Equal(study.Instances.Count, summary.InstanceCount);
        }

        // Queries of each establishment see exactly its kept studies, and their instances are still retrievable.
        using (var demo = after.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist)))
        {
            var listed = await GetAsync(demo, "/dicomweb/studies", ct);
            foreach (var study in expired) Assert.DoesNotContain(study.StudyUid, listed, StringComparison.Ordinal);
        }

        foreach (var (establishment, study) in new[] { ("750000021", kept21), ("750000030", kept30) })
        {
            using var http = after.CreateClient(BearerTokens.Principal(establishment, MircRoles.Radiologist));
            Assert.Contains(study.StudyUid, await GetAsync(http, "/dicomweb/studies", ct), StringComparison.Ordinal);
            var (sop, series, _) = study.Instances[0];
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study.StudyUid}/series/{series}/instances/{sop}");
            request.Headers.Accept.ParseAdd("multipart/related; type=\"application/dicom\"");
            using var response = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // One deletion record per expired study, written by the retention under the future clock, and no other.
        var audit = after.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(ct);
        var deletions = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Delete], Limit = 100 }, ct);
        Assert.Equal(expired.Length, deletions.Count);
        foreach (var study in expired)
        {
            var record = Assert.Single(deletions, r => r.Event.StudyUids.Contains(study.StudyUid));
            Assert.Equal(AuditOutcome.Success, record.Event.Outcome);
            Assert.True(record.Event.Timestamp.Year >= DateTime.UtcNow.Year + 20, "stamped " + record.Event.Timestamp.ToString("O", CultureInfo.InvariantCulture));
        }
    }

    private static void AddEstablishment(Dictionary<string, string?> seed, int index, string id, int years, string aeTitle)
    {
        var prefix = $"Mirc:Seed:Establishments:{index}:";
        seed[prefix + "Id"] = id;
        seed[prefix + "Name"] = "Retention " + years;
        seed[prefix + "RetentionYears"] = years.ToString(CultureInfo.InvariantCulture);
        seed[prefix + "AeTitles:0:AeTitle"] = aeTitle;
        seed[prefix + "AeTitles:0:Host"] = "127.0.0.1";
        seed[prefix + "AeTitles:0:Permissions"] = "Store";
    }

    private async Task StoreAsync(MircHostFactory host, string aeTitle, SyntheticStudy study, string folder)
    {
        var files = await study.WriteAsync(Path.Combine(_work.Path, folder), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", aeTitle, "-aec", "MIRC", "127.0.0.1", host.DicomPort.ToString(CultureInfo.InvariantCulture), .. files]);
    }

    private static async Task<string> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/dicom+json");
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(ct);
    }
}
