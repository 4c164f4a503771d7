using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Orleans;
using Orleans.Runtime;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>A study stored through one silo is found and retrieved through the other: shared membership, blobs, state and index.</summary>
public sealed class ClusterDimseTests(TwoHostCluster cluster) : IClassFixture<TwoHostCluster>, IDisposable
{
    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_study_stored_on_host_A_is_found_and_retrieved_byte_identical_on_host_B()
    {
        // One cluster of two silos, not two archives that happen to share storage.
        var management = cluster.HostA.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var silos = await management.GetHosts(true, TestContext.Current.CancellationToken);
        Assert.Equal(2, silos.Count);

        var portA = cluster.HostA.DicomPort.ToString();
        var portB = cluster.HostB.DicomPort.ToString();
        var study = new SyntheticStudy("PAT-CLUSTER", "BLANC^Jeanne", seriesCount: 2, instancesPerSeries: 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", portA, .. files]);

        var found = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "PatientID=PAT-CLUSTER", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances", "127.0.0.1", portB);
        Assert.Contains(study.StudyUid, found.Combined);
        Assert.Matches(@"IS \[6 ?\]", found.Combined);

        var output = Path.Combine(_work.Path, "got");
        Directory.CreateDirectory(output);
        await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "+xe", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", portB);
        var received = Directory.GetFiles(output);
        Assert.Equal(files.Count, received.Length);
        foreach (var sent in files)
        {
            var sop = Path.GetFileNameWithoutExtension(sent);
            var back = Assert.Single(received, r => r.EndsWith(sop, StringComparison.Ordinal));
            Assert.Equal(await DatasetBytesAsync(sent), await DatasetBytesAsync(back));
        }

        // A multi-frame instance from a third party (pydicom's 15-frame RT Dose) after those single-frame ones, found with its
        // frame count through the other silo: the PostgreSQL index writer's prepared statements refused a number bound after
        // NULLs (22P03, status 0110) until its parameters got one type per column.
        const string multiFrame = "/usr/lib/python3/dist-packages/pydicom/data/test_files/rtdose.dcm";
        var dose = DicomFileReader.Read(await File.ReadAllBytesAsync(multiFrame, TestContext.Current.CancellationToken), DicomReadOptions.HeaderOnly).Dataset;
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", portA, multiFrame]);
        var image = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=IMAGE",
            "-k", $"StudyInstanceUID={dose.GetString(DicomTag.StudyInstanceUID)}", "-k", $"SeriesInstanceUID={dose.GetString(DicomTag.SeriesInstanceUID)}",
            "-k", "SOPInstanceUID", "-k", "NumberOfFrames", "127.0.0.1", portB);
        Assert.Contains(dose.GetString(DicomTag.SOPInstanceUID)!, image.Combined);
        Assert.Matches(@"IS \[15 ?\]", image.Combined);

        // Grain state went through Orleans' blob grain storage (names end in .json), none under our former names.
        var stateContainer = new Azure.Storage.Blobs.BlobServiceClient(cluster.StorageConnectionString).GetBlobContainerClient("mirc-grainstate");
        var stateBlobs = new List<string>();
        await foreach (var blob in stateContainer.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, TestContext.Current.CancellationToken))
        {
            stateBlobs.Add(blob.Name);
        }

        Assert.Contains(stateBlobs, n => n.EndsWith($"-study/{study.StudyUid}.json", StringComparison.Ordinal));
        Assert.All(stateBlobs.Where(n => !n.StartsWith("security/", StringComparison.Ordinal)), n => Assert.EndsWith(".json", n, StringComparison.Ordinal));

        // Blobs went to the shared Azure store: neither host wrote instances under its local data folder.
        Assert.All(new[] { cluster.HostA.DataPath, cluster.HostB.DataPath }, data =>
            Assert.False(Directory.Exists(Path.Combine(data, "blobs")) && Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*.dcm", SearchOption.AllDirectories).Any()));
    }

    /// <summary>The dataset after the File Meta (whose source AE and implementation fields legitimately differ).</summary>
    private static async Task<byte[]> DatasetBytesAsync(string path)
    {
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        var file = DicomFileReader.Read(bytes, new DicomReadOptions { StopAtPixelData = true });
        var metaEnd = 132 + 12 + (int)file.FileMetaInformation.GetInt32(new DicomTag(0x0002, 0x0000));
        return bytes[metaEnd..];
    }
}
