using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;
using Mirc.Dicom;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class SynthesisTests
{
    private static readonly SyntheticStudySpec Spec = new("ct", "DUPONT^Hélène", "P1",
        [new SyntheticSeriesSpec("CT", SyntheticSeriesSpec.CtImageStorage, 8, 8, 16, 3)]);

    [Fact]
    public void Uids_are_deterministic_valid_and_distinct()
    {
        var a = DeterministicUid.From("x/1");

        Assert.Equal(a, DeterministicUid.From("x/1"));
        Assert.NotEqual(a, DeterministicUid.From("x/2"));
        Assert.InRange(a.Length, 6, 64);
        Assert.Matches("^2\\.25\\.(0|[1-9][0-9]*)$", a);
    }

    [Fact]
    public void Same_seed_gives_same_bytes_and_copies_get_new_uids()
    {
        var one = new SyntheticStudyFactory("s").Create(Spec);
        var two = new SyntheticStudyFactory("s").Create(Spec);
        var copy = new SyntheticStudyFactory("s").Create(Spec, "-b");

        Assert.Equal(one.Instances[2].Part10.ToArray(), two.Instances[2].Part10.ToArray());
        Assert.NotEqual(one.StudyUid, copy.StudyUid);
        Assert.Equal(3, one.Instances.Select(i => i.SopInstanceUid).Distinct().Count());
    }

    [Fact]
    public void Files_read_back_with_utf8_names_uids_and_pixels()
    {
        var study = new SyntheticStudyFactory("s").Create(Spec);
        var instance = study.Instances[1];

        var file = DicomFileReader.Read(instance.Part10);

        Assert.Equal("ISO_IR 192", file.Dataset.GetStringOrDefault(DicomTag.SpecificCharacterSet));
        Assert.Equal("DUPONT^Hélène", file.Dataset.GetStringOrDefault(DicomTag.PatientName));
        Assert.Equal(study.StudyUid, file.Dataset.GetStringOrDefault(DicomTag.StudyInstanceUID));
        Assert.Equal(instance.SopInstanceUid, file.SopInstanceUid);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, file.TransferSyntax.Uid);
        Assert.Equal(8 * 8 * 2, file.Dataset[DicomTag.PixelData]!.Buffer.Length);
        // The data set starts right after the meta group: its first element is (0008,0005).
        Assert.Equal(new byte[] { 0x08, 0x00, 0x05, 0x00 }, instance.Dataset[..4].ToArray());
    }

    [Fact]
    public void Multi_frame_instances_carry_their_frame_count()
    {
        var spec = new SyntheticStudySpec("xa", "GARCÍA^José", "P2", [new SyntheticSeriesSpec("XA", SyntheticSeriesSpec.XaImageStorage, 4, 4, 8, 1, 5)]);

        var instance = new SyntheticStudyFactory("s").Create(spec).Instances.Single();
        var file = DicomFileReader.Read(instance.Part10);

        Assert.Equal(5, instance.Frames);
        Assert.Equal("5", file.Dataset.GetStringOrDefault(DicomTag.NumberOfFrames)?.Trim());
        Assert.Equal(4 * 4 * 5, file.Dataset[DicomTag.PixelData]!.Buffer.Length);
    }

    [Fact]
    public async Task Folder_reader_groups_files_into_studies_and_skips_others()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mirc-bench-input-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var study = new SyntheticStudyFactory("f").Create(Spec);
            foreach (var i in study.Instances) await File.WriteAllBytesAsync(Path.Combine(folder, i.SopInstanceUid + ".dcm"), i.Part10.ToArray(), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "README.txt"), "not dicom", TestContext.Current.CancellationToken);

            var read = await FolderStudyReader.ReadAsync(folder, TestContext.Current.CancellationToken);

            var only = Assert.Single(read);
            Assert.Equal(study.StudyUid, only.StudyUid);
            Assert.Equal("P1", only.PatientId);
            Assert.Equal(study.Instances.Select(i => i.SopInstanceUid).Order(), only.Instances.Select(i => i.SopInstanceUid).Order());
            Assert.All(only.Instances, i => Assert.Equal(study.Instances[0].DatasetOffset, i.DatasetOffset));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void One_instance_studies_each_have_their_own_study_and_patient_and_are_fresh_per_run()
    {
        var data = Mirc.Bench.Run.BenchData.Synthesize(new Mirc.Bench.Cli.BenchOptions { CtSlices = 2, MrSlices = 0, Frames = 0, SmallStudies = 5 });
        var stow = data.SmallStudies("stow")!;
        var dimse = data.SmallStudies("c-store")!;

        Assert.Equal(5, stow.Instances.Count);
        var files = stow.Instances.Select(i => DicomFileReader.Read(i.Part10).Dataset).ToArray();
        Assert.Equal(5, files.Select(d => d.GetString(DicomTag.StudyInstanceUID)).Distinct().Count());
        Assert.Equal(5, files.Select(d => d.GetString(DicomTag.PatientID)).Distinct().Count());
        Assert.All(files, d => Assert.Equal(64, d.GetInt32(DicomTag.Rows)));
        Assert.Empty(stow.Instances.Select(i => i.SopInstanceUid).Intersect(dimse.Instances.Select(i => i.SopInstanceUid)));
        Assert.Null(Mirc.Bench.Run.BenchData.Synthesize(new Mirc.Bench.Cli.BenchOptions { CtSlices = 2, SmallStudies = 0 }).SmallStudies("stow"));
    }
}
