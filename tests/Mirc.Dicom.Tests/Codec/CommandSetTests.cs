using System.Buffers;
using System.Buffers.Binary;
using Xunit;

namespace Mirc.Dicom.Tests.Codec;

/// <summary>DIMSE command sets: Implicit VR LE, (0000,0000) computed and first.</summary>
public sealed class CommandSetTests
{
    [Fact]
    public void Command_group_length_is_computed_and_written_first()
    {
        var cmd = new DicomDataset();
        cmd.Set(DicomTag.AffectedSOPClassUID, DicomUids.Verification);
        cmd.Set(DicomTag.CommandField, 0x0030);
        cmd.Set(DicomTag.MessageID, 7);
        cmd.Set(DicomTag.CommandDataSetType, 0x0101);
        cmd.Set(DicomTag.CommandGroupLength, 999); // stale value is replaced

        var buffer = new ArrayBufferWriter<byte>();
        DicomDatasetWriter.Write(cmd, DicomTransferSyntax.ImplicitVRLittleEndian, buffer);
        var bytes = buffer.WrittenSpan;
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]));
        Assert.Equal((uint)(bytes.Length - 12), BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));

        var back = DicomDatasetReader.Read(new ReadOnlySequence<byte>(bytes.ToArray()), DicomTransferSyntax.ImplicitVRLittleEndian);
        Assert.Equal(bytes.Length - 12, back.GetInt32(DicomTag.CommandGroupLength));
        Assert.Equal(0x0030, back.GetInt32(DicomTag.CommandField));
        Assert.Equal(DicomUids.Verification, back.GetString(DicomTag.AffectedSOPClassUID));
        Assert.Equal(DicomVR.US, back[DicomTag.MessageID]!.VR);
    }

    [Fact]
    public void Other_group_lengths_are_dropped()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomTag(0x0010, 0x0000), DicomVR.UL, new byte[] { 1, 0, 0, 0 });
        ds.Set(DicomTag.PatientID, "A");
        var back = DicomDatasetReader.Read(DicomDatasetWriter.Write(ds, DicomTransferSyntax.ExplicitVRLittleEndian).AsSpan(), DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.False(back.Contains(new DicomTag(0x0010, 0x0000)));
        Assert.Equal(1, back.Count);
        Assert.Equal(DicomDatasetWriter.GetEncodedLength(ds, DicomTransferSyntax.ExplicitVRLittleEndian),
            DicomDatasetWriter.Write(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Length);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public async Task Data_sets_round_trip_in_every_uncompressed_syntax(string uid)
    {
        var syntax = DicomTransferSyntax.Lookup(uid);
        var ds = TestDatasets.Rich();
        var buffer = new ArrayBufferWriter<byte>();
        DicomDatasetWriter.Write(ds, syntax, buffer);
        var back = DicomDatasetReader.Read(buffer.WrittenMemory, syntax);
        var reference = syntax.IsExplicitVR ? ds : DicomDatasetReader.Read(DicomDatasetWriter.Write(ds, DicomTransferSyntax.ImplicitVRLittleEndian).AsMemory(), DicomTransferSyntax.ImplicitVRLittleEndian);
        DatasetAssert.Equal(reference, back);

        using var ms = new MemoryStream();
        await DicomDatasetWriter.WriteAsync(ds, syntax, ms, null, TestContext.Current.CancellationToken);
        DatasetAssert.Equal(back, DicomDatasetReader.Read(ms.ToArray().AsMemory(), syntax));
    }
}
