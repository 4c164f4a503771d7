using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Testing;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// What a researcher does with an export: convert it to NIfTI with dcm2niix (Debian's, the converter of most imaging
/// research pipelines) and analyse the volume. A CT volume built from pydicom's CT_small (a GE scanner's header and
/// pixels, 12 slices along z, each slice's samples offset so an order mistake shows) is stored, exported de-identified,
/// and dcm2niix converts the originals and the export: one volume each, the same voxels, dimensions, voxel sizes and
/// orientation (qform/sform) — de-identification must not cost the science its geometry.
/// </summary>
public sealed class ResearchVolumeExportTests : IAsyncLifetime
{
    private const string CtSmall = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";
    private const int Slices = 12;

    private readonly string _work = TestEnvironment.NewTempDirectory("research-volume");
    private ApiHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _host = new ApiHost();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        TestEnvironment.TryDeleteDirectory(_work);
    }

    [Fact]
    public async Task Dcm2niix_makes_the_same_volume_of_the_export_as_of_the_originals()
    {
        var originals = Directory.CreateDirectory(Path.Combine(_work, "originals")).FullName;
        var files = WriteVolume(originals);
        using (var technician = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Technician, "10000000710")))
        using (var stow = await technician.StowAsync(files))
        {
            Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        }

        using var manager = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.ResearchManager, "10000000711"));
        var exported = await ExportAsync(manager);
        Assert.Equal(Slices, Directory.GetFiles(exported, "*.dcm", SearchOption.AllDirectories).Length);

        var before = await ConvertAsync(originals, Path.Combine(_work, "nifti-originals"));
        var after = await ConvertAsync(exported, Path.Combine(_work, "nifti-export"));

        Assert.Equal([3, 128, 128, Slices], before.Dimensions);
        Assert.Equal(before.Dimensions, after.Dimensions);
        Assert.Equal(before.VoxelSizes, after.VoxelSizes);
        Assert.Equal(5.0f, before.VoxelSizes[3], 3); // the slices' spacing, from their positions
        Assert.Equal(before.Orientation, after.Orientation);
        Assert.True(before.Voxels.AsSpan().SequenceEqual(after.Voxels), "the exported volume's voxels differ from the originals'");
    }

    // CT_small twelve times along z (5 mm apart, as its slice thickness), one series, a 2024 chest CT of the cohort.
    private static List<byte[]> WriteVolume(string folder)
    {
        var series = SyntheticInstance.NewUid();
        var study = SyntheticInstance.NewUid();
        var files = new List<byte[]>();
        for (var slice = 0; slice < Slices; slice++)
        {
            var file = DicomFileReader.Read(File.ReadAllBytes(CtSmall));
            var data = file.Dataset;
            var sop = SyntheticInstance.NewUid();
            data.Set(DicomTag.StudyInstanceUID, DicomVR.UI, study);
            data.Set(DicomTag.SeriesInstanceUID, DicomVR.UI, series);
            data.Set(DicomTag.SOPInstanceUID, DicomVR.UI, sop);
            file.FileMetaInformation.Set(DicomTag.MediaStorageSOPInstanceUID, DicomVR.UI, sop);
            data.Set(DicomTag.PatientID, DicomVR.LO, "RV-" + study[^12..]);
            data.Set(DicomTag.StudyDate, DicomVR.DA, "20240410");
            data.Set(DicomTag.SeriesDate, DicomVR.DA, "20240410");
            data.Set(DicomTag.BodyPartExamined, DicomVR.CS, "CHEST");
            data.Set(DicomTag.InstanceNumber, DicomVR.IS, (slice + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var z = -75.699997 + (5 * slice);
            data.Set(DicomTag.ImagePositionPatient, DicomVR.DS, -158.135803, -179.035797, z);
            data.Set(DicomTag.SliceLocation, DicomVR.DS, z);
            Assert.True(data.TryGetBytes(DicomTag.PixelData, out var stored));
            var pixels = stored.ToArray();
            for (var i = 0; i < pixels.Length; i += 2)
            {
                BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(i), (short)(BinaryPrimitives.ReadInt16LittleEndian(pixels.AsSpan(i)) + (7 * slice)));
            }

            data.Set(DicomTag.PixelData, DicomVR.OW, pixels);
            var bytes = DicomFileWriter.Write(file);
            File.WriteAllBytes(Path.Combine(folder, $"{slice + 1:D2}.dcm"), bytes);
            files.Add(bytes);
        }

        return files;
    }

    // The export's folder once it has completed.
    private async Task<string> ExportAsync(HttpClient manager)
    {
        var project = new
        {
            name = "Chest CT volumes 2024",
            purpose = "Lung volumetry, ethics committee approval 2026-31",
            cohort = new { modalities = new[] { "CT" }, studyDateFrom = "20240101", studyDateTo = "20241231", bodyParts = new[] { "CHEST" } },
        };
        using var created = await manager.PostAsJsonAsync("/api/research/projects", project, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var projectId = (await created.ReadJsonAsync()).GetProperty("projectId").GetString()!;
        var (export, folder) = await ResearchExportRun.RunAsync(manager, projectId, _host.DataPath);
        Assert.Equal("completed", export.GetProperty("status").GetString());
        Assert.Equal(Slices, export.GetProperty("exported").GetInt32());
        return folder;
    }

    /// <summary>The NIfTI-1 volume dcm2niix writes of a folder: its dim, pixdim, qform/sform fields and voxel bytes.</summary>
    private sealed record NiftiVolume(short[] Dimensions, float[] VoxelSizes, byte[] Orientation, byte[] Voxels);

    private static async Task<NiftiVolume> ConvertAsync(string input, string output)
    {
        Directory.CreateDirectory(output);
        var (code, stdout, stderr) = await ExternalTool.RunAsync("dcm2niix", "-z", "n", "-b", "n", "-f", "%s", "-o", output, input);
        Assert.True(code == 0, $"dcm2niix failed on {input}: {stdout}{stderr}");
        var volumes = Directory.GetFiles(output, "*.nii");
        Assert.True(volumes.Length == 1, $"dcm2niix made {volumes.Length} volumes of {input}: {stdout}");

        // NIfTI-1 header (348 bytes, little endian here): dim at 40, pixdim at 76, vox_offset at 108, qform_code at
        // 252 up to srow_z's end at 328.
        var nifti = await File.ReadAllBytesAsync(volumes[0], Ct);
        var dims = Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadInt16LittleEndian(nifti.AsSpan(40 + (2 * i)))).ToArray();
        var sizes = Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadSingleLittleEndian(nifti.AsSpan(76 + (4 * i)))).ToArray();
        var offset = (int)BinaryPrimitives.ReadSingleLittleEndian(nifti.AsSpan(108));
        return new NiftiVolume(dims[..(dims[0] + 1)], sizes[..(dims[0] + 1)], nifti[252..328], nifti[offset..]);
    }
}
