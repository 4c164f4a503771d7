using System.Diagnostics;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>
/// Throughput harness (<c>bench-store</c>, <c>bench-get</c>): numbers for the conformance/performance report, no
/// assertions. Instances are synthetic and kept in memory, so the figures measure the network path and the peer.
/// </summary>
internal static class BenchCommands
{
    public static async Task<int> StoreAsync(CliArguments cli, CancellationToken ct)
    {
        var patientId = cli.Keys.FirstOrDefault(k => k.Key == "PatientID").Value is { Length: > 0 } p ? p : "BENCH-" + Environment.ProcessId;
        var (studyUid, files) = SyntheticCtSeries.Create(cli.Count, patientId);
        var proposals = DicomClient.ProposalsFor([(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian)]);
        var clients = new List<DicomClient>();
        try
        {
            for (var i = 0; i < Math.Max(1, cli.Associations); i++) clients.Add(await ScuCommands.ConnectAsync(cli, proposals, ct));
            var next = -1;
            var failures = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async client =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < files.Count)
                {
                    using var part10 = new MemoryStream(files[index], writable: false);
                    var result = await client.StoreAsync(part10, ct);
                    if (!DimseStatus.IsSuccessOrWarning(result.Status))
                    {
                        Interlocked.Increment(ref failures);
                        Console.Error.WriteLine($"instance {index + 1}: status 0x{result.Status:X4} {result.ErrorComment}");
                    }
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            foreach (var client in clients) await client.ReleaseAsync(ct);
            Console.WriteLine($"study {studyUid}");
            Console.WriteLine($"bench-store: {files.Count - failures}/{files.Count} instances over {clients.Count} association(s) in {seconds:F2}s = "
                + $"{files.Count / seconds:F0} images/s, {files.Sum(f => (long)f.Length) / seconds / 1048576:F0} MiB/s");
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    public static async Task<int> GetAsync(CliArguments cli, CancellationToken ct)
    {
        for (var round = 1; round <= cli.Repeat; round++)
        {
            if (await GetOnceAsync(cli, ct) != 0) return 1;
        }

        return 0;
    }

    private static async Task<int> GetOnceAsync(CliArguments cli, CancellationToken ct)
    {
        var model = cli.Model == "patient" ? DicomUids.PatientRootQueryRetrieveInformationModelGet : DicomUids.StudyRootQueryRetrieveInformationModelGet;
        string[] syntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];
        var storage = DicomUids.StorageSopClasses.Take(120)
            .Select(s => new PresentationContextProposal(0, s, syntaxes) { RequestorScuRole = false, RequestorScpRole = true });
        await using var client = await ScuCommands.ConnectAsync(cli, [new(0, model, syntaxes), .. storage], ct);
        long bytes = 0;
        var buffer = new byte[256 * 1024];
        var clock = Stopwatch.StartNew();
        var result = await client.GetAsync(model, ScuCommands.Query(cli), async (_, dataSet, token) =>
        {
            int n;
            while ((n = await dataSet.ReadAsync(buffer, token)) > 0) bytes += n;
            return DimseResult.Success;
        }, null, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        await client.ReleaseAsync(ct);
        var count = result.Completed + result.Warning;
        Console.WriteLine($"bench-get: status 0x{result.Status:X4}, {count} instances (failed {result.Failed}) in {seconds:F2}s = "
            + $"{count / seconds:F0} images/s, {bytes / seconds / 1048576:F0} MiB/s");
        return result.Status == DimseStatus.Success && count > 0 ? 0 : 1;
    }
}
