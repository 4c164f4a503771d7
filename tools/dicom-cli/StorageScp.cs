using System.Net;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>
/// <c>mirc-dicom serve</c>: a minimal storage SCP (C-ECHO, C-STORE of any storage class) writing Part 10 files to a
/// directory, or discarding them without <c>-od</c>. Meant for trying the SCU verbs and measuring the network layer.
/// </summary>
internal sealed class StorageScp(string? outputDirectory) : IDicomServiceHandler
{
    private static readonly string[] TransferSyntaxes =
    [
        DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.JPEGLosslessSV1, DicomUids.JPEGBaseline8Bit,
        DicomUids.JPEG2000Lossless, DicomUids.JPEG2000, DicomUids.JPEGLSLossless, DicomUids.RLELossless,
    ];

    private readonly PresentationContextPolicy _policy = new PresentationContextPolicy()
        .Add(DicomUids.Verification, [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian])
        .AddRange(DicomUids.StorageSopClasses, TransferSyntaxes);

    private long _stored;

    public static async Task<int> RunAsync(CliArguments cli, CancellationToken ct)
    {
        if (cli.Paths.Count > 0) throw new ArgumentException("serve takes no file arguments");
        if (cli.OutputDirectory != ".") Directory.CreateDirectory(cli.OutputDirectory);
        var handler = new StorageScp(cli.OutputDirectory == "." ? null : cli.OutputDirectory);
        await using var server = new DicomServer(handler, new DicomServerOptions());
        server.Start(new IPEndPoint(IPAddress.Parse(cli.Host), cli.Port));
        Console.WriteLine($"listening on {server.LocalEndPoint}; Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // stop requested
        }
        await server.StopAsync(CancellationToken.None);
        Console.WriteLine($"stored {Interlocked.Read(ref handler._stored)} instance(s)");
        return 0;
    }

    public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct) =>
        ValueTask.FromResult(AssociationDecision.Accept(_policy));

    public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
    {
        if (outputDirectory is null) await dataSet.CopyToAsync(Stream.Null, ct);
        else await Part10Output.WriteAsync(Path.Combine(outputDirectory, request.SopInstanceUid + ".dcm"), request, dataSet, ct);
        Interlocked.Increment(ref _stored);
        return DimseResult.Success;
    }
}
