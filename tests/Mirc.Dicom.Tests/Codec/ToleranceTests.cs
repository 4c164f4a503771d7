using System.Buffers.Binary;
using Xunit;

namespace Mirc.Dicom.Tests.Codec;

/// <summary>Inputs that deviate from Part 10 in ways seen in the field.</summary>
public sealed class ToleranceTests
{
    [Fact]
    public void File_without_preamble_is_read()
    {
        var bytes = DicomFileWriter.Write(new DicomFile(TestDatasets.Rich()));
        var file = DicomFileReader.Read(bytes.AsMemory(128));
        Assert.Null(file.Preamble);
        Assert.Equal("PID-001", file.Dataset.GetString(DicomTag.PatientID));
    }

    [Fact]
    public void Meta_group_without_preamble_or_DICM_is_read()
    {
        var bytes = DicomFileWriter.Write(new DicomFile(TestDatasets.Rich()));
        var file = DicomFileReader.Read(bytes.AsMemory(132));
        Assert.False(file.HadNoFileMeta);
        Assert.Equal("PID-001", file.Dataset.GetString(DicomTag.PatientID));
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    public void Bare_data_sets_are_detected_by_peeking(string uid)
    {
        var syntax = DicomTransferSyntax.Lookup(uid);
        var bytes = DicomDatasetWriter.Write(TestDatasets.Rich(), syntax);
        var file = DicomFileReader.Read(bytes);
        Assert.True(file.HadNoFileMeta);
        Assert.Equal(syntax, file.TransferSyntax);
        DatasetAssert.Equal(DicomDatasetReader.Read(bytes.AsMemory(), syntax), file.Dataset);
    }

    [Fact]
    public void Wrong_meta_group_length_is_ignored()
    {
        var bytes = DicomFileWriter.Write(new DicomFile(TestDatasets.Rich()));
        // (0002,0000) UL value sits at 132 + 8.
        Assert.Equal(0x0002, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(132)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(140), 3);
        var file = DicomFileReader.Read(bytes);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal("PID-001", file.Dataset.GetString(DicomTag.PatientID));
    }

    [Fact]
    public void Meta_written_in_implicit_VR_is_read()
    {
        var meta = DicomFileWriter.BuildFileMetaInformation(new DicomFile(TestDatasets.Rich(), DicomTransferSyntax.ImplicitVRLittleEndian));
        var bytes = new List<byte>(new byte[128]);
        bytes.AddRange("DICM"u8.ToArray());
        bytes.AddRange(DicomDatasetWriter.Write(meta, DicomTransferSyntax.ImplicitVRLittleEndian));
        bytes.AddRange(DicomDatasetWriter.Write(TestDatasets.Rich(), DicomTransferSyntax.ImplicitVRLittleEndian));
        var file = DicomFileReader.Read(bytes.ToArray());
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal(DicomUids.SecondaryCaptureImageStorage, file.SopClassUid);
        Assert.Equal("DUPONT^Hélène", file.Dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void Data_set_in_implicit_VR_under_an_explicit_VR_meta_is_detected()
    {
        var meta = DicomFileWriter.BuildFileMetaInformation(new DicomFile(TestDatasets.Rich(), DicomTransferSyntax.ExplicitVRLittleEndian));
        var bytes = new List<byte>(new byte[128]);
        bytes.AddRange("DICM"u8.ToArray());
        bytes.AddRange(DicomDatasetWriter.Write(meta, DicomTransferSyntax.ExplicitVRLittleEndian));
        bytes.AddRange(DicomDatasetWriter.Write(TestDatasets.Rich(), DicomTransferSyntax.ImplicitVRLittleEndian));
        var file = DicomFileReader.Read(bytes.ToArray());
        Assert.Equal("PID-001", file.Dataset.GetString(DicomTag.PatientID));
    }

    [Fact]
    public void Truncated_file_reports_tag_and_offset()
    {
        var bytes = DicomFileWriter.Write(new DicomFile(TestDatasets.Rich()));
        var error = Assert.Throws<DicomFormatException>(() => DicomFileReader.Read(bytes.AsMemory(0, bytes.Length - 5)));
        Assert.Contains("(7FE0,0010)", error.Message);
        Assert.Contains("offset", error.Message);
        Assert.True(error.Offset > 0);
    }

    [Fact]
    public void Undefined_length_UN_is_parsed_as_an_implicit_VR_sequence()
    {
        var item = new DicomDataset();
        item.Set(DicomTag.CodeValue, "C1");
        var inner = DicomDatasetWriter.Write(item, DicomTransferSyntax.ImplicitVRLittleEndian);
        var bytes = new List<byte>();
        // (0029,1010) UN, undefined length, one undefined-length item, implicit VR LE content.
        bytes.AddRange(new byte[] { 0x29, 0x00, 0x10, 0x10, (byte)'U', (byte)'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF });
        bytes.AddRange(new byte[] { 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF });
        bytes.AddRange(inner);
        bytes.AddRange(new byte[] { 0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0 });
        var ds = DicomDatasetReader.Read(bytes.ToArray().AsMemory(), DicomTransferSyntax.ExplicitVRLittleEndian);
        var seq = Assert.IsType<DicomSequence>(ds[new DicomTag(0x0029, 0x1010)]);
        Assert.Equal("C1", seq.Items[0].GetString(DicomTag.CodeValue));
    }

    [Fact]
    public async Task Header_only_read_reports_bytes_used()
    {
        var ds = TestDatasets.MultiFrame(10, 32, 32);
        var bytes = DicomFileWriter.Write(new DicomFile(ds, DicomTransferSyntax.ImplicitVRLittleEndian));
        await using var stream = new NonSeekableStream(bytes, 100);
        var file = await DicomFileReader.ReadAsync(stream, new DicomReadOptions { StopAtPixelData = true, ReadBufferSize = 512 }, TestContext.Current.CancellationToken);
        Assert.Equal(bytes.Length - 10 * 32 * 32 - 8, file.HeaderLength);
        Assert.True(file.BytesRead >= file.HeaderLength + 8 && file.BytesRead < bytes.Length);
        Assert.Equal(stream.BytesServed, file.BytesRead);
        Assert.Equal("MULTI^FRAME", file.Dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public async Task Skip_pixel_data_keeps_trailing_elements()
    {
        var ds = TestDatasets.MultiFrame(2, 8, 8);
        ds.Set(new DicomTag(0x7FE1, 0x0010), DicomVR.LO, "AFTER");
        var bytes = DicomFileWriter.Write(new DicomFile(ds));
        await using var stream = new NonSeekableStream(bytes);
        var file = await DicomFileReader.ReadAsync(stream, new DicomReadOptions { SkipPixelData = true }, TestContext.Current.CancellationToken);
        Assert.False(file.Dataset.Contains(DicomTag.PixelData));
        Assert.Equal("AFTER", file.Dataset.GetString(new DicomTag(0x7FE1, 0x0010)));
        Assert.Equal(128, file.PixelData!.ValueLength);
    }
}
