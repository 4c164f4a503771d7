using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>The SCU verbs of the command-line tool.</summary>
internal static class ScuCommands
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    public static async Task<int> EchoAsync(CliArguments cli, CancellationToken ct)
    {
        await using var client = await ConnectAsync(cli, [new(0, DicomUids.Verification, Uncompressed)], ct);
        var result = await client.EchoAsync(ct);
        Console.WriteLine($"C-ECHO status 0x{result.Status:X4}");
        await client.ReleaseAsync(ct);
        return result.Status == DimseStatus.Success ? 0 : 1;
    }

    public static async Task<int> StoreAsync(CliArguments cli, CancellationToken ct)
    {
        var files = cli.Paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).ToList();
        if (files.Count == 0) throw new ArgumentException("no files to store");
        // Propose each (SOP class, transfer syntax) found in the files' File Meta.
        var pairs = new HashSet<(string, string)>();
        foreach (var f in files)
        {
            var meta = await DicomFileReader.ReadAsync(f, DicomReadOptions.HeaderOnly, ct);
            pairs.Add((meta.SopClassUid ?? "", meta.TransferSyntax.Uid));
        }
        await using var client = await ConnectAsync(cli, DicomClient.ProposalsFor(pairs), ct);
        var failures = 0;
        var started = DateTime.UtcNow;
        foreach (var f in files)
        {
            var result = await client.StoreAsync(f, ct);
            if (!DimseStatus.IsSuccessOrWarning(result.Status))
            {
                failures++;
                Console.Error.WriteLine($"{f}: status 0x{result.Status:X4} {result.ErrorComment}");
            }
        }
        await client.ReleaseAsync(ct);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Console.WriteLine($"stored {files.Count - failures}/{files.Count} in {seconds:F2}s ({files.Count / Math.Max(seconds, 0.001):F0}/s)");
        return failures == 0 ? 0 : 1;
    }

    public static async Task<int> FindAsync(CliArguments cli, CancellationToken ct)
    {
        var model = FindModel(cli);
        await using var client = await ConnectAsync(cli, [new(0, model, Uncompressed)], ct);
        var count = 0;
        await foreach (var match in client.FindAsync(model, Query(cli), ct))
        {
            count++;
            Console.WriteLine($"# match {count}");
            foreach (var element in match)
            {
                var keyword = DicomDictionary.GetKeyword(element.Tag) ?? element.Tag.ToString();
                Console.WriteLine($"{element.Tag} {keyword} = {match.GetStringOrDefault(element.Tag)}");
            }
        }
        await client.ReleaseAsync(ct);
        Console.WriteLine($"{count} match(es)");
        return 0;
    }

    public static async Task<int> MoveAsync(CliArguments cli, CancellationToken ct)
    {
        var model = cli.Model == "patient" ? DicomUids.PatientRootQueryRetrieveInformationModelMove : DicomUids.StudyRootQueryRetrieveInformationModelMove;
        var destination = cli.Destination ?? throw new ArgumentException("move needs -aem DESTINATION");
        await using var client = await ConnectAsync(cli, [new(0, model, Uncompressed)], ct);
        var result = await client.MoveAsync(model, destination, Query(cli), new Progress<DicomRetrieveResult>(Report), ct);
        await client.ReleaseAsync(ct);
        return Final(result);
    }

    public static async Task<int> GetAsync(CliArguments cli, CancellationToken ct)
    {
        var model = cli.Model == "patient" ? DicomUids.PatientRootQueryRetrieveInformationModelGet : DicomUids.StudyRootQueryRetrieveInformationModelGet;
        Directory.CreateDirectory(cli.OutputDirectory);
        // Storage contexts with the SCP role for us, so the peer can send the instances back on this association.
        var transferSyntaxes = new[] { DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.JPEGLosslessSV1,
            DicomUids.JPEGBaseline8Bit, DicomUids.JPEG2000Lossless, DicomUids.JPEGLSLossless, DicomUids.RLELossless };
        var storage = DicomUids.StorageSopClasses.Take(127)
            .Select(s => new PresentationContextProposal(0, s, transferSyntaxes) { RequestorScuRole = false, RequestorScpRole = true });
        await using var client = await ConnectAsync(cli, [new(0, model, Uncompressed), .. storage], ct);
        var result = await client.GetAsync(model, Query(cli), async (rq, dataSet, token) =>
        {
            var path = Path.Combine(cli.OutputDirectory, rq.SopInstanceUid + ".dcm");
            await Part10Output.WriteAsync(path, rq, dataSet, token);
            return DimseResult.Success;
        }, new Progress<DicomRetrieveResult>(Report), ct);
        await client.ReleaseAsync(ct);
        return Final(result);
    }

    private static string FindModel(CliArguments cli) =>
        cli.Model == "patient" ? DicomUids.PatientRootQueryRetrieveInformationModelFind : DicomUids.StudyRootQueryRetrieveInformationModelFind;

    internal static DicomDataset Query(CliArguments cli)
    {
        var query = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, cli.Level);
        foreach (var (key, value) in cli.Keys)
        {
            var tag = DicomDictionary.TryGetByKeyword(key, out var entry) ? entry.Tag
                : DicomTag.TryParse(key, out var parsed) ? parsed
                : throw new ArgumentException($"unknown key {key}");
            query.Set(tag, value);
        }
        return query;
    }

    internal static Task<DicomClient> ConnectAsync(CliArguments cli, IEnumerable<PresentationContextProposal> contexts, CancellationToken ct)
    {
        var options = new DicomClientOptions { Tls = TlsOptions(cli) };
        if (cli.MaxPdu is { } maxPdu) options.MaxPduLength = maxPdu;
        if (cli.User is not null)
            options.UserIdentity = cli.Password is null
                ? new UserIdentity(UserIdentityType.Username, cli.User, "", true)
                : new UserIdentity(UserIdentityType.UsernameAndPasscode, cli.User, cli.Password, true);
        return DicomClient.ConnectAsync(cli.Host, cli.Port, cli.CallingAe, cli.CalledAe, contexts, options, ct: ct);
    }

    private static System.Net.Security.SslClientAuthenticationOptions? TlsOptions(CliArguments cli)
    {
        if (!cli.Tls) return null;
        var options = new System.Net.Security.SslClientAuthenticationOptions
        {
            EnabledSslProtocols = Bcp195.Protocols,
            CipherSuitesPolicy = Bcp195.CipherSuitesPolicy(),
        };
        if (cli.TlsCertificate is not null)
            options.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(cli.TlsCertificate, cli.TlsKey)];
        if (cli.TlsAuthorities is not null)
        {
            var policy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
            {
                TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.ImportFromPemFile(cli.TlsAuthorities);
            options.CertificateChainPolicy = policy;
        }
        return options;
    }

    private static void Report(DicomRetrieveResult r) =>
        Console.WriteLine($"pending: completed {r.Completed}, failed {r.Failed}, warning {r.Warning}");

    private static int Final(DicomRetrieveResult r)
    {
        Console.WriteLine($"final status 0x{r.Status:X4}: completed {r.Completed}, failed {r.Failed}, warning {r.Warning}");
        foreach (var uid in r.FailedSopInstanceUids) Console.WriteLine($"failed: {uid}");
        return r.Status == DimseStatus.Success ? 0 : 1;
    }
}
