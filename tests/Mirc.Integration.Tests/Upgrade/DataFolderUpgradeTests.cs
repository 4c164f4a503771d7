using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.GrainState;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Integration.Tests.Security;
using Xunit;

namespace Mirc.Integration.Tests.Upgrade;

/// <summary>
/// Today's silo on a data folder written by an earlier main (<c>data-folder-1cb6013.tar.gz</c>, made by
/// <c>make-data-folder.sh</c> with the silo built from commit 1cb6013: three studies of two patients stored by dcmtk's
/// storescu, then a clean stop). Its grain-state records, flat then, move to the fanned-out layout as the silo starts;
/// every study, instance, patient list, feed event and audit record written before is served as it was, new instances
/// join the old studies and patients, and a second start finds nothing left to move.
/// </summary>
public sealed class DataFolderUpgradeTests : IDisposable
{
    private const string Fixture = "data-folder-1cb6013.tar.gz";
    private const string Establishment = "750000001";
    private const string Root = "1.2.826.0.1.3680043.10.1311.77";

    // What make-data-folder.sh stored: study → (patient, instances).
    private static readonly Dictionary<string, (string Patient, string[] Instances)> Stored = new()
    {
        [$"{Root}.1"] = ("PAT-UPG-1", [$"{Root}.1.1.1", $"{Root}.1.1.2", $"{Root}.1.1.3"]),
        [$"{Root}.2"] = ("PAT-UPG-1", [$"{Root}.2.1.1"]),
        [$"{Root}.3"] = ("PAT-UPG-2", [$"{Root}.3.1.1", $"{Root}.3.2.1"]),
    };

    private readonly TempDataFolder _folder = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _folder.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task A_data_folder_of_an_earlier_main_is_upgraded_in_place_and_everything_stored_before_is_served_and_extended()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var packed = File.OpenRead(RepositoryRoot.Combine("tests", "Mirc.Integration.Tests", "Upgrade", Fixture)))
        await using (var tar = new GZipStream(packed, CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(tar, _folder.Path, overwriteFiles: false, ct);
        }

        var data = Path.Combine(_folder.Path, "data");
        var grainState = Path.Combine(data, "blobs", "mirc-grainstate");
        var instanceFiles = Directory.GetFiles(Path.Combine(data, "blobs"), "*.dcm", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path).Split('_')[1], File.ReadAllBytes);
        Assert.Equal(Stored.Values.SelectMany(s => s.Instances).Order(), instanceFiles.Keys.Order());
        var flatRecords = RecordNames(grainState);
        Assert.All(flatRecords, name => Assert.Equal(3, name.Split('/').Length));
        Assert.Contains($"study/study/{Encoded(Root + ".1")}.rec", flatRecords);

        await using (var upgraded = new MircHostFactory(data))
        {
            _ = upgraded.Server;

            // Every record moved, none lost: the same grains, now one folder deeper.
            var fannedOut = RecordNames(grainState);
            Assert.All(fannedOut, name => Assert.Equal(4, name.Split('/').Length));
            Assert.Superset(flatRecords.Select(WithoutFolder).ToHashSet(), fannedOut.Select(WithoutFolder).ToHashSet());
            Assert.True(File.Exists(Path.Combine(grainState, GrainStateFolderUpgrade.MarkerName)));

            // Studies (their manifests in the study grains) and instances as stored, byte for byte.
            var grains = upgraded.Services.GetRequiredService<IGrainFactory>();
            using var http = upgraded.CreateClient(BearerTokens.Principal(Establishment, MircRoles.Radiologist));
            foreach (var (study, (_, instances)) in Stored)
            {
                Assert.Equal(instances.Length, (await grains.GetGrain<IStudyGrain>(study).GetSummaryAsync()).InstanceCount);
                foreach (var sop in instances)
                {
                    Assert.Equal(instanceFiles[sop], await RetrieveAsync(http, study, sop, ct));
                }
            }

            // The index, the patients' study lists and the change feed as they were.
            Assert.Equal([$"{Root}.1", $"{Root}.2"], await StudiesOfAsync(http, "PAT-UPG-1", ct));
            Assert.Equal([$"{Root}.3"], await StudiesOfAsync(http, "PAT-UPG-2", ct));
            Assert.Equal([$"{Root}.1", $"{Root}.2"], await PatientStudiesAsync(grains, "PAT-UPG-1"));
            var feed = upgraded.Services.GetRequiredService<IChangeFeed>();
            Assert.Equal(3, (await feed.StudyEventsAsync($"{Root}.1", ct)).Count);

            // A new instance in an old study and a new study of an old patient, from the same device.
            var added = await CopyAsAsync(instanceFiles[$"{Root}.1.1.1"], "added.dcm", ("0008,0018", $"{Root}.1.1.4"), ("0020,0013", "4"));
            var newStudy = await CopyAsAsync(instanceFiles[$"{Root}.2.1.1"], "new-study.dcm", ("0020,000d", $"{Root}.4"), ("0020,000e", $"{Root}.4.1"), ("0008,0018", $"{Root}.4.1.1"));
            await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", upgraded.DicomPort.ToString(CultureInfo.InvariantCulture), added, newStudy]);
            Assert.Equal(4, (await grains.GetGrain<IStudyGrain>($"{Root}.1").GetSummaryAsync()).InstanceCount);
            Assert.Equal([$"{Root}.1", $"{Root}.2", $"{Root}.4"], await StudiesOfAsync(http, "PAT-UPG-1", ct));

            var audit = upgraded.Services.GetRequiredService<IAuditTrail>();
            await audit.FlushAsync(ct);
            var verification = await audit.VerifyAsync(ct);
            Assert.True(verification.IsIntact, verification.Problem);
            // One store record per study and association: three before the upgrade, two after, on one chain.
            Assert.Equal(5, (await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Store], ActorId = "ae:STORESCU", Limit = 100 }, ct)).Count);
        }

        // A second start: nothing moved or lost, all still served.
        var before = RecordNames(grainState);
        await using var restarted = new MircHostFactory(data);
        _ = restarted.Server;
        var after = RecordNames(grainState);
        Assert.Superset(before.ToHashSet(), after.ToHashSet()); // and maybe a retention bucket the feed's follower adds
        Assert.All(after, name => Assert.Equal(4, name.Split('/').Length));
        using var again = restarted.CreateClient(BearerTokens.Principal(Establishment, MircRoles.Radiologist));
        Assert.Equal([$"{Root}.1", $"{Root}.2", $"{Root}.4"], await StudiesOfAsync(again, "PAT-UPG-1", ct));
        Assert.Equal(4, (await restarted.Services.GetRequiredService<IGrainFactory>().GetGrain<IStudyGrain>($"{Root}.1").GetSummaryAsync()).InstanceCount);
    }

    /// <summary>The grain-state records (<c>.rec</c>) under the container, relative, with '/'.</summary>
    private static List<string> RecordNames(string container) =>
        Directory.GetFiles(container, "*.rec", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(container, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string WithoutFolder(string name)
    {
        var parts = name.Split('/');
        return parts.Length == 4 ? $"{parts[0]}/{parts[1]}/{parts[3]}" : name;
    }

    private static string Encoded(string uid) => uid.Replace(".", "%2E", StringComparison.Ordinal);

    private async Task<string> CopyAsAsync(byte[] original, string name, params (string Tag, string Value)[] changes)
    {
        var path = Path.Combine(_work.Path, name);
        await File.WriteAllBytesAsync(path, original);
        await Dcmtk.RunOkAsync("dcmodify", [.. changes.SelectMany(c => new[] { "-nb", "-m", $"({c.Tag})={c.Value}" }), path]);
        return path;
    }

    private static async Task<byte[]> RetrieveAsync(HttpClient http, string study, string sop, CancellationToken ct)
    {
        // The fixture's SOP Instance UIDs extend their series' UID by one component.
        var series = sop[..sop.LastIndexOf('.')];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}/instances/{sop}");
        request.Headers.Accept.ParseAdd("multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await MultipartResponse.SinglePartAsync(response, ct);
    }

    private static async Task<List<string>> StudiesOfAsync(HttpClient http, string patientId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies?PatientID={patientId}");
        request.Headers.Accept.ParseAdd("application/dicom+json");
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.EnumerateArray()
            .Select(study => study.GetProperty("0020000D").GetProperty("Value")[0].GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<List<string>> PatientStudiesAsync(IGrainFactory grains, string localPatientId)
    {
        var regional = await grains.GetGrain<IPatientIdentityIndexGrain>($"{Establishment}||{localPatientId}").GetAsync();
        Assert.NotNull(regional);
        var record = await grains.GetGrain<IPatientGrain>(regional).GetAsync();
        return record.Studies.Select(s => s.StudyInstanceUid).Order(StringComparer.Ordinal).ToList();
    }
}
