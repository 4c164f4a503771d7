using Mirc.Dicom;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.GrainState;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Idempotency on the data set: sender-dependent File Meta does not make a duplicate; a different data set follows the policy.</summary>
public sealed class DuplicateDatasetTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    internal static IngestRequest Cstore(SyntheticInstance instance, string callingAe) => new()
    {
        Caller = new IngestCaller { EstablishmentId = "750000003", CallingAeTitle = callingAe },
        Payload = IngestPayload.Dataset,
        TransferSyntaxUid = DicomUids.ExplicitVRLittleEndian,
        AffectedSopClassUid = instance.SopClassUid,
        AffectedSopInstanceUid = instance.SopUid,
    };

    internal static async Task<IngestOutcome> IngestAsync(ArchiveCluster archive, byte[] bytes, IngestRequest request)
    {
        using var stream = new MemoryStream(bytes);
        return await archive.Ingestor.IngestAsync(stream, request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_same_data_set_from_another_ae_title_and_then_by_stow_is_success_and_the_first_copy_stays()
    {
        var instance = new SyntheticInstance();
        var first = await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_A"));
        var stored = await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);

        var otherAe = await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_B"));
        var stow = await IngestAsync(archive, instance.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000004" } });

        Assert.Equal(IngestStatus.Stored, first.Status);
        Assert.Equal(IngestStatus.AlreadyStored, otherAe.Status);
        Assert.Equal((ushort)0x0000, otherAe.DimseStatus);
        Assert.Equal(IngestStatus.AlreadyStored, stow.Status);
        Assert.Equal((ushort)0x0000, stow.StowReason);
        Assert.Equal(stored, await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Equal(1, (await archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken))!.NumberOfInstances);
    }

    [Fact]
    public async Task Sending_a_stored_instance_again_leaves_its_patient_record_unwritten()
    {
        var instance = new SyntheticInstance();
        var first = await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_A"));
        await archive.ProjectFeedAsync();
        var patient = (GrainReference)archive.Grains.GetGrain<IPatientGrain>(first.PatientId!);
        var record = GrainStateBlobNaming.FannedOutKeyFor(archive.Layout.GrainStateContainer, "patient", patient.GrainId);
        var before = await archive.Blobs.TryGetPropertiesAsync(record, TestContext.Current.CancellationToken);

        var again = await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_A"));

        Assert.Equal(IngestStatus.AlreadyStored, again.Status);
        Assert.NotNull(before);
        // The study's reference, rebuilt from its summary, equals the one the record holds: nothing to write.
        Assert.Equal(before.ETag, (await archive.Blobs.TryGetPropertiesAsync(record, TestContext.Current.CancellationToken))?.ETag);
        Assert.Contains((await patient.AsReference<IPatientGrain>().GetAsync()).Studies, s => s.StudyInstanceUid == instance.StudyUid);
    }

    [Fact]
    public async Task A_different_data_set_is_rejected_by_default_with_processing_failure_and_the_original_kept()
    {
        var original = new SyntheticInstance { PixelSeed = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(archive, original.ToDataset(), Cstore(original, "MODALITY_A"))).Status);
        var stored = await archive.Grains.GetGrain<IStudyGrain>(original.StudyUid).GetInstanceAsync(original.SopUid);

        var different = await IngestAsync(archive, (original with { PixelSeed = 2 }).ToDataset(), Cstore(original, "MODALITY_B"));

        Assert.Equal(IngestStatus.DuplicateConflict, different.Status);
        Assert.Equal((ushort)0x0110, different.DimseStatus);
        Assert.Contains("different data set", different.Detail, StringComparison.Ordinal);
        Assert.Equal(stored, await archive.Grains.GetGrain<IStudyGrain>(original.StudyUid).GetInstanceAsync(original.SopUid));
    }

    [Fact]
    public async Task The_same_instance_in_another_transfer_syntax_is_already_stored_and_the_first_copy_stays()
    {
        var instance = new SyntheticInstance { Frames = 3 };
        var first = await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_A"));
        var stored = await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);
        var rleSyntax = DicomTransferSyntax.Lookup(DicomUids.RLELossless);
        var rle = DicomFileWriter.Write(new DicomFile(DicomTranscoder.Transcode(instance.BuildDataset(), instance.TransferSyntax, rleSyntax), rleSyntax));

        var implicitVr = await IngestAsync(archive, DicomDatasetWriter.Write(instance.BuildDataset(), DicomTransferSyntax.ImplicitVRLittleEndian),
            Cstore(instance, "PACS") with { TransferSyntaxUid = DicomUids.ImplicitVRLittleEndian });
        var compressed = await IngestAsync(archive, rle, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000004" } });
        var otherPixels = await IngestAsync(archive, (instance with { PixelSeed = 9 }).ToDataset(), Cstore(instance, "PACS"));

        Assert.Equal(IngestStatus.Stored, first.Status);
        Assert.Equal(IngestStatus.AlreadyStored, implicitVr.Status);
        Assert.Equal(IngestStatus.AlreadyStored, compressed.Status);
        Assert.Equal(IngestStatus.DuplicateConflict, otherPixels.Status);
        Assert.Equal(stored, await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
    }

    [Fact]
    public async Task A_big_endian_copy_is_compared_and_so_is_a_deflated_one()
    {
        // Big-endian 16-bit samples are swapped by the decoder; a deflated data set's frames have no byte range in the
        // blob, so it is inflated whole and its frames compared (a PACS sending over a slow link, dcmtk's storescu -xd).
        var instance = new SyntheticInstance();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(archive, instance.ToDataset(), Cstore(instance, "MODALITY_A"))).Status);

        var bigEndian = await IngestAsync(archive, DicomDatasetWriter.Write(instance.BuildDataset(), DicomTransferSyntax.ExplicitVRBigEndian),
            Cstore(instance, "PACS") with { TransferSyntaxUid = DicomUids.ExplicitVRBigEndian });
        var deflated = await IngestAsync(archive, Deflated(instance), Deflating(instance));
        var otherPixels = await IngestAsync(archive, DicomDatasetWriter.Write((instance with { PixelSeed = 5 }).BuildDataset(), DicomTransferSyntax.ExplicitVRBigEndian),
            Cstore(instance, "PACS") with { TransferSyntaxUid = DicomUids.ExplicitVRBigEndian });
        var deflatedOtherPixels = await IngestAsync(archive, Deflated(instance with { PixelSeed = 5 }), Deflating(instance));

        Assert.Equal(IngestStatus.AlreadyStored, bigEndian.Status);
        Assert.Equal(IngestStatus.AlreadyStored, deflated.Status);
        Assert.Equal(IngestStatus.DuplicateConflict, otherPixels.Status);
        Assert.Equal(IngestStatus.DuplicateConflict, deflatedOtherPixels.Status);
    }

    [Fact]
    public async Task A_stored_deflated_copy_is_compared_with_a_compressed_one()
    {
        var instance = new SyntheticInstance();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(archive, Deflated(instance), Deflating(instance))).Status);

        var jpegLs = DicomTranscoder.Transcode(instance.BuildDataset(), DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.JPEGLSLossless);
        var compressed = await IngestAsync(archive, DicomDatasetWriter.Write(jpegLs, DicomTransferSyntax.JPEGLSLossless),
            Cstore(instance, "PACS") with { TransferSyntaxUid = DicomTransferSyntax.JPEGLSLossless.Uid });
        var otherPixels = DicomTranscoder.Transcode((instance with { PixelSeed = 5 }).BuildDataset(), DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.JPEGLSLossless);
        var conflicting = await IngestAsync(archive, DicomDatasetWriter.Write(otherPixels, DicomTransferSyntax.JPEGLSLossless),
            Cstore(instance, "PACS") with { TransferSyntaxUid = DicomTransferSyntax.JPEGLSLossless.Uid });

        Assert.Equal(IngestStatus.AlreadyStored, compressed.Status);
        Assert.Equal(IngestStatus.DuplicateConflict, conflicting.Status);
    }

    private static byte[] Deflated(SyntheticInstance instance) => DicomDatasetWriter.Write(instance.BuildDataset(), DicomTransferSyntax.DeflatedExplicitVRLittleEndian);

    private static IngestRequest Deflating(SyntheticInstance instance) => Cstore(instance, "PACS") with { TransferSyntaxUid = DicomUids.DeflatedExplicitVRLittleEndian };
}

/// <summary>DuplicatePolicy KeepFirst: success with warning B006, the stored object untouched.</summary>
public sealed class KeepFirstDuplicateTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new();

    public ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Archive:Ingest:DuplicatePolicy"] = "KeepFirst";
        return _archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    [Fact]
    public async Task A_different_data_set_is_acknowledged_with_a_warning_and_discarded()
    {
        var original = new SyntheticInstance { PixelSeed = 1 };
        Assert.Equal(IngestStatus.Stored, (await DuplicateDatasetTests.IngestAsync(_archive, original.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "E" } })).Status);
        var stored = await _archive.Grains.GetGrain<IStudyGrain>(original.StudyUid).GetInstanceAsync(original.SopUid);

        var different = await DuplicateDatasetTests.IngestAsync(_archive, (original with { PixelSeed = 2 }).ToDataset(), DuplicateDatasetTests.Cstore(original, "MODALITY_B"));

        Assert.Equal(IngestStatus.DuplicateDiscarded, different.Status);
        Assert.True(different.IsSuccess);
        Assert.Equal((ushort)0xB006, different.DimseStatus);
        Assert.Equal((ushort)0xB006, different.StowReason);
        Assert.Equal(stored, different.Instance);
        Assert.Equal(stored, await _archive.Grains.GetGrain<IStudyGrain>(original.StudyUid).GetInstanceAsync(original.SopUid));
    }
}
