using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// A C-STORE 0000 means durably stored, even though the study grain answers before its manifest write (the ingest's
/// journal intent covers the instance until then): the built silo, killed with SIGKILL while dcmtk's storescu streams a
/// study into it, keeps every instance it acknowledged once restarted on the same data folder, and shows no instance
/// whose blob is missing or short.
/// </summary>
public sealed class KilledSiloIngestTests : IDisposable
{
    private const int KillAfterAcknowledged = 60;
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    [Fact]
    public async Task A_silo_killed_mid_ingest_keeps_every_acknowledged_instance_once_restarted()
    {
        var ct = TestContext.Current.CancellationToken;
        var study = new SyntheticStudy("PAT-KILL-1", "KILLED^Midingest", 2, 150);
        var files = await study.WriteAsync(_work.Path, DicomTransferSyntax.ExplicitVRLittleEndian);
        var ports = SiloPorts.Free();
        var arguments = SiloProcess.OwnArguments(
            _data.Path,
            ports,
            "--Mirc:Seed:Establishments:1:Id=750000091",
            "--Mirc:Seed:Establishments:1:Name=Killed silo",
            "--Mirc:Seed:Establishments:1:RetentionYears=20",
            "--Mirc:Seed:Establishments:1:AeTitles:0:AeTitle=KILLSCU",
            "--Mirc:Seed:Establishments:1:AeTitles:0:Host=127.0.0.1",
            "--Mirc:Seed:Establishments:1:AeTitles:0:Permissions=Store");

        var acknowledged = new List<string>();
        await using (var silo = SiloProcess.Start(arguments))
        {
            await silo.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90), ct);
            using var storescu = StartStoreScu(ports.Dicom, files);
            var sending = (string?)null;
            var killed = false;
            while (await storescu.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                // storescu -v, one association: "Sending file: <path>" then that file's "Received Store Response (Success)".
                if (line.Contains("Sending file: ", StringComparison.Ordinal))
                {
                    sending = Path.GetFileNameWithoutExtension(line[(line.IndexOf("Sending file: ", StringComparison.Ordinal) + 14)..].Trim());
                }
                else if (line.Contains("Received Store Response (Success)", StringComparison.Ordinal) && sending is not null)
                {
                    acknowledged.Add(sending);
                    if (!killed && acknowledged.Count == KillAfterAcknowledged)
                    {
                        // Mid-stream: the next instances are being received, the latest ones' manifest writes in flight.
                        silo.Kill();
                        killed = true;
                    }
                }
            }

            await storescu.WaitForExitAsync(ct);
            Assert.True(killed, $"storescu ended after {acknowledged.Count} acknowledged instances, before the kill");
        }

        // Responses already on the wire when the silo died may have been read after the kill: each of them counts too.
        Assert.InRange(acknowledged.Count, KillAfterAcknowledged, files.Count - 1);

        // Restarted on the same data folder and silo endpoint, with the shipped settings: the dead process's journal intents
        // are its former incarnation's, over at once (not after Mirc:Archive:Ingest:ReconcileOlderThan).
        await using var restarted = new MircHostFactory(_data.Path, new Dictionary<string, string?> { ["Mirc:SiloPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture) });
        _ = restarted.Server;
        var grain = restarted.Services.GetRequiredService<IGrainFactory>().GetGrain<IStudyGrain>(study.StudyUid);
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<InstanceEntry> held;
        while (true)
        {
            held = await grain.GetInstancesAsync();
            var missing = acknowledged.Except(held.Select(e => e.SopInstanceUid)).ToList();
            if (missing.Count == 0)
            {
                break;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"{missing.Count} acknowledged instance(s) missing after the restart, e.g. {missing[0]}");
            await Task.Delay(200, ct);
        }

        // Nothing half-ingested: every instance the manifest holds has its whole blob (an unacknowledged one may be there too).
        var blobs = restarted.Services.GetRequiredService<IBlobStore>();
        foreach (var entry in held)
        {
            var properties = await blobs.TryGetPropertiesAsync(new BlobKey(entry.BlobContainer, entry.BlobName), ct);
            Assert.True(properties?.Length == entry.Size, $"instance {entry.SopInstanceUid}: blob of {properties?.Length} bytes, manifest says {entry.Size}");
        }

        Assert.Equal(held.Count, held.Select(e => e.SopInstanceUid).Distinct(StringComparer.Ordinal).Count());
    }

    private static Process StartStoreScu(int port, IReadOnlyList<string> files)
    {
        Assert.True(File.Exists("/usr/bin/storescu"), "dcmtk's storescu is missing: run ./test.sh, which installs dcmtk");
        // Its log lines go to stdout or stderr depending on the build: both, merged, are what the test reads.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["TCP_NODELAY"] = "1";
        foreach (var argument in new[] { "-c", "exec /usr/bin/storescu \"$@\" 2>&1", "storescu", "-v", "-aet", "KILLSCU", "-aec", "MIRC", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture) }.Concat(files))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }
}
