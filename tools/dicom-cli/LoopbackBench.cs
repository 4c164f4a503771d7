using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>
/// <c>mirc-dicom bench-loopback</c>: our server and client in one process on 127.0.0.1, the synthetic CT series served
/// from memory — the ceiling of the network layer alone (no storage, no archive), for C-GET and for C-STORE.
/// </summary>
internal static class LoopbackBench
{
    public static async Task<int> RunAsync(CliArguments cli, CancellationToken ct)
    {
        var (_, files) = SyntheticCtSeries.Create(cli.Count, "LOOPBACK");
        var archive = new MemoryArchive(files);
        await using var server = new DicomServer(archive);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        cli = CliArguments.Parse(["bench-get", "-p", server.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-aet", "LOOP", "-aec", "LOOP", "-n", cli.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", cli.Associations.ToString(System.Globalization.CultureInfo.InvariantCulture), .. cli.MaxPdu is { } m ? new[] { "--max-pdu", m.ToString(System.Globalization.CultureInfo.InvariantCulture) } : []]);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 1; round <= 5; round++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            if (await BenchCommands.GetAsync(cli, ct) != 0) return 1;
            var used = Process.GetCurrentProcess().TotalProcessorTime - before;
            Console.WriteLine($"  round {round}: CPU {used.TotalMilliseconds / cli.Count:F3} ms per image (both sides)");
        }
        var stored = 0;
        archive.OnStored = () => Interlocked.Increment(ref stored);
        if (await BenchCommands.StoreAsync(cli, ct) != 0) return 1;
        Console.WriteLine($"total CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2}s, {stored} stored");
        return 0;
    }

    /// <summary>Serves every file for any C-GET; C-STORE drains and discards.</summary>
    private sealed class MemoryArchive(List<byte[]> files) : IDicomServiceHandler
    {
        private static readonly string[] Syntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

        public Action? OnStored { get; set; }

        public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct) =>
            ValueTask.FromResult(AssociationDecision.Accept(new PresentationContextPolicy()
                .AddRange(DicomUids.StorageSopClasses, Syntaxes, allowRequestorScp: true)
                .Add(DicomUids.StudyRootQueryRetrieveInformationModelGet, Syntaxes)));

        public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
        {
            await dataSet.CopyToAsync(Stream.Null, ct);
            OnStored?.Invoke();
            return DimseResult.Success;
        }

        public async IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request,
            [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            for (var i = 0; i < files.Count; i++)
            {
                var bytes = files[i];
                yield return new DicomInstanceSource(DicomUids.CTImageStorage, $"loop.{i}", DicomUids.ExplicitVRLittleEndian,
                    _ => ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false)));
            }
        }
    }
}
