using Mirc.Dicom;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class IngestTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private static readonly IngestRequest StowRequest = new() { Caller = new IngestCaller { EstablishmentId = "750000001", ProfessionalId = "10001" } };

    /// <summary>What the DIMSE adapter asks for a C-STORE of <paramref name="instance"/>'s bare data set.</summary>
    private static IngestRequest CstoreRequest(SyntheticInstance instance) => new()
    {
        Caller = new IngestCaller { EstablishmentId = "750000001", CallingAeTitle = "MODALITY1" },
        Payload = IngestPayload.Dataset,
        TransferSyntaxUid = DicomUids.ExplicitVRLittleEndian,
        AffectedSopClassUid = instance.SopClassUid,
        AffectedSopInstanceUid = instance.SopUid,
    };

    private static async Task<IngestOutcome> IngestAsync(IInstanceIngestor ingestor, byte[] bytes, IngestRequest? request = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return await ingestor.IngestAsync(stream, request ?? StowRequest, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stow_instance_is_stored_in_manifest_patient_and_index_and_retrieved_byte_identical()
    {
        var instance = new SyntheticInstance { PatientId = "IPP-STORE" };
        var bytes = instance.ToPart10();

        var outcome = await IngestAsync(archive.Ingestor, bytes);

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.Equal((ushort)0x0000, outcome.DimseStatus);
        Assert.Equal(instance.SopUid, outcome.SopInstanceUid);
        var entry = await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);
        Assert.NotNull(entry);
        Assert.Equal(bytes.Length, entry.Size);
        Assert.Equal(Xxh128.Of(bytes), entry.Digest);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, entry.TransferSyntaxUid);
        Assert.Equal("750000001", entry.EstablishmentId);

        var study = await archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken);
        Assert.NotNull(study);
        Assert.Equal("IPP-STORE", study.PatientId);
        Assert.Equal(outcome.PatientId, study.RegionalPatientId);
        Assert.Equal(1, study.NumberOfInstances);

        var patient = await archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!).GetAsync();
        var reference = Assert.Single(patient.Studies);
        Assert.Equal(instance.StudyUid, reference.StudyInstanceUid);
        Assert.Equal(1, reference.InstanceCount);
        Assert.Contains(new LocalPatientId("750000001", "HOSP-A", "IPP-STORE"), patient.LocalIds);

        var resolved = await archive.Retriever.ResolveAsync(new RetrievalScope(instance.StudyUid), TestContext.Current.CancellationToken);
        await using var retrieved = await archive.Retriever.OpenAsync(resolved, cancellationToken: TestContext.Current.CancellationToken).SingleAsync(TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await retrieved.Content.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Retry_with_the_same_bytes_is_idempotent()
    {
        var instance = new SyntheticInstance();
        var bytes = instance.ToPart10();

        var first = await IngestAsync(archive.Ingestor, bytes);
        var second = await IngestAsync(archive.Ingestor, bytes);

        Assert.Equal(IngestStatus.Stored, first.Status);
        Assert.Equal(IngestStatus.AlreadyStored, second.Status);
        Assert.True(second.IsSuccess);
        Assert.Equal((ushort)0x0000, second.DimseStatus);
        var entries = await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstancesAsync();
        Assert.Single(entries);
        Assert.Equal(first.PatientId, second.PatientId);
    }

    [Fact]
    public async Task Different_object_under_an_existing_sop_instance_uid_is_rejected_and_the_original_kept()
    {
        var original = new SyntheticInstance { PixelSeed = 1 };
        var impostor = original with { PixelSeed = 2 };
        var originalBytes = original.ToPart10();

        Assert.Equal(IngestStatus.Stored, (await IngestAsync(archive.Ingestor, originalBytes)).Status);
        var conflict = await IngestAsync(archive.Ingestor, impostor.ToPart10());

        Assert.Equal(IngestStatus.DuplicateConflict, conflict.Status);
        Assert.False(conflict.IsSuccess);
        Assert.Equal((ushort)0x0110, conflict.DimseStatus);
        Assert.Equal((ushort)0x0110, conflict.StowReason);
        Assert.NotNull(conflict.Instance);
        var entry = await archive.Grains.GetGrain<IStudyGrain>(original.StudyUid).GetInstanceAsync(original.SopUid);
        await using var stored = await archive.Retriever.OpenInstanceAsync(entry!, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(originalBytes, copy.ToArray());
    }

    [Fact]
    public async Task Concurrent_stores_of_the_same_uid_with_different_bytes_keep_exactly_one_object()
    {
        // Several rounds: who writes at the final name and who wins the reservation varies from run to run (a loser that
        // wrote there first once removed the winner's bytes, promoted over its own, on its way out).
        for (var round = 0; round < 12; round++)
        {
            var a = new SyntheticInstance { PixelSeed = 10 };
            var b = a with { PixelSeed = 11 };
            var bytesA = a.ToPart10();
            var bytesB = b.ToPart10();

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => IngestAsync(archive.Ingestor, i % 2 == 0 ? bytesA : bytesB)));

            var winners = outcomes.Where(o => o.Status == IngestStatus.Stored).ToArray();
            Assert.Single(winners);
            Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { IngestStatus.Stored, IngestStatus.AlreadyStored, IngestStatus.DuplicateConflict, IngestStatus.ProcessingFailure }));
            var entry = await archive.Grains.GetGrain<IStudyGrain>(a.StudyUid).GetInstanceAsync(a.SopUid);
            await using var stored = await archive.Retriever.OpenInstanceAsync(entry!, TestContext.Current.CancellationToken);
            using var copy = new MemoryStream();
            await stored.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.Equal(entry!.Digest, Xxh128.Of(copy.ToArray()));
        }
    }

    [Fact]
    public async Task Cstore_dataset_gets_a_file_meta_header_and_keeps_the_dataset_bytes_exact()
    {
        var instance = new SyntheticInstance();
        var dataset = instance.ToDataset();
        var request = CstoreRequest(instance);

        var outcome = await IngestAsync(archive.Ingestor, dataset, request);

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        await using var stored = await archive.Retriever.OpenInstanceAsync(outcome.Instance!, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy, TestContext.Current.CancellationToken);
        var file = copy.ToArray();
        Assert.Equal(dataset, file.AsSpan(file.Length - dataset.Length).ToArray());
        var parsed = DicomFileReader.Read(file);
        Assert.Equal(instance.SopUid, parsed.FileMetaInformation.GetString(DicomTag.MediaStorageSOPInstanceUID));
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, parsed.FileMetaInformation.GetString(DicomTag.TransferSyntaxUID));
        Assert.Equal("MODALITY1", parsed.FileMetaInformation.GetString(DicomTag.SourceApplicationEntityTitle));
        Assert.Equal(instance.SopUid, parsed.Dataset.GetString(DicomTag.SOPInstanceUID));
    }

    [Fact]
    public async Task Affected_sop_instance_mismatch_is_A900_and_nothing_is_stored()
    {
        var instance = new SyntheticInstance();
        var request = new IngestRequest
        {
            Caller = new IngestCaller { EstablishmentId = "750000001" },
            Payload = IngestPayload.Dataset,
            TransferSyntaxUid = DicomUids.ExplicitVRLittleEndian,
            AffectedSopClassUid = instance.SopClassUid,
            AffectedSopInstanceUid = SyntheticInstance.NewUid(),
        };

        var outcome = await IngestAsync(archive.Ingestor, instance.ToDataset(), request);

        Assert.Equal(IngestStatus.DataSetMismatch, outcome.Status);
        Assert.Equal((ushort)0xA900, outcome.DimseStatus);
        Assert.Null(await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        await AssertStagingEmptyAsync();
    }

    [Fact]
    public async Task Stow_into_another_study_is_rejected()
    {
        var instance = new SyntheticInstance();
        var outcome = await IngestAsync(archive.Ingestor, instance.ToPart10(), StowRequest with { ExpectedStudyInstanceUid = SyntheticInstance.NewUid() });

        Assert.Equal(IngestStatus.StudyMismatch, outcome.Status);
        Assert.Equal((ushort)0xA900, outcome.StowReason);
        Assert.Null(await archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_file_cut_inside_its_pixel_data_is_C000_and_not_stored()
    {
        var instance = new SyntheticInstance();
        var whole = instance.ToPart10();

        var outcome = await IngestAsync(archive.Ingestor, whole[..^100]);

        Assert.Equal(IngestStatus.CannotUnderstand, outcome.Status);
        Assert.Contains("truncated", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(instance.SopUid, outcome.SopInstanceUid);
        Assert.Null(await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Null(await archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(true, 100)] // encapsulated: cut inside its last fragment
    [InlineData(true, 8)] // encapsulated: every fragment, but not the sequence delimiter
    [InlineData(false, 10)] // native pixel data whole, an element after it cut
    public async Task A_file_cut_after_its_header_is_C000_and_not_stored(bool encapsulated, int cut)
    {
        var instance = new SyntheticInstance { Encapsulated = encapsulated, Frames = 2 };
        var ds = instance.BuildDataset();
        if (!encapsulated)
        {
            ds.Set(DicomTag.DataSetTrailingPadding, DicomVR.OB, new byte[64]);
        }

        var whole = DicomFileWriter.Write(new DicomFile(ds, instance.TransferSyntax));

        var outcome = await IngestAsync(archive.Ingestor, whole[..^cut]);

        Assert.Equal(IngestStatus.CannotUnderstand, outcome.Status);
        Assert.Contains("Not a readable DICOM Part 10 instance", outcome.Detail, StringComparison.Ordinal);
        Assert.Null(await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Null(await archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_cstore_data_set_ending_inside_an_element_header_is_C000_and_not_stored()
    {
        var instance = new SyntheticInstance();
        // The first 5 bytes of an element after the pixel data: a data set cut inside that element's header.
        var dataset = instance.ToDataset().Concat(new byte[] { 0xFC, 0xFF, 0xFC, 0xFF, (byte)'O' }).ToArray();
        var request = CstoreRequest(instance);

        var outcome = await IngestAsync(archive.Ingestor, dataset, request);

        Assert.Equal((ushort)0xC000, outcome.DimseStatus);
        Assert.Contains("ends inside an element header", outcome.Detail, StringComparison.Ordinal);
        Assert.Null(await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
    }

    [Fact]
    public async Task A_file_with_whole_elements_after_its_pixel_data_is_stored_whole()
    {
        var instance = new SyntheticInstance();
        var ds = instance.BuildDataset();
        ds.Set(DicomTag.DataSetTrailingPadding, DicomVR.OB, new byte[64]);
        var whole = DicomFileWriter.Write(new DicomFile(ds, instance.TransferSyntax));

        var outcome = await IngestAsync(archive.Ingestor, whole);

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.Equal(whole.Length, (await archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid))!.Size);
    }

    [Fact]
    public async Task Garbage_is_C000()
    {
        var outcome = await IngestAsync(archive.Ingestor, "this is not a DICOM file at all, just text padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding"u8.ToArray());

        Assert.Equal(IngestStatus.CannotUnderstand, outcome.Status);
        Assert.Equal((ushort)0xC000, outcome.DimseStatus);
        await AssertStagingEmptyAsync();
    }

    [Fact]
    public async Task Missing_sop_instance_uid_is_A900()
    {
        var ds = new SyntheticInstance().BuildDataset();
        ds.Remove(DicomTag.SOPInstanceUID);
        var bytes = DicomFileWriter.Write(new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian));

        var outcome = await IngestAsync(archive.Ingestor, bytes);

        Assert.Equal(IngestStatus.DataSetMismatch, outcome.Status);
    }

    private async Task AssertStagingEmptyAsync()
    {
        // Tests of one class run one at a time, so nothing else is in flight: staged uploads are gone, and journal
        // slots of earlier ingests are emptied in the background (allow them a moment).
        var staged = new List<BlobProperties>();
        for (var attempt = 0; attempt < 40; attempt++)
        {
            staged = [];
            await foreach (var blob in archive.Blobs.ListAsync(archive.Layout.StagingContainer, cancellationToken: TestContext.Current.CancellationToken))
            {
                // Journal slots are reused, not deleted: an empty slot ("[]") holds nothing.
                if (!blob.Key.Name.StartsWith("journal/", StringComparison.Ordinal) || blob.Length != 2)
                {
                    staged.Add(blob);
                }
            }

            if (staged.Count == 0)
            {
                break;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Empty(staged);
    }
}
