using Xunit;

namespace Mirc.Dicom.Tests.Codec;

/// <summary>
/// A file cut short: read as far as it goes by default (a viewer shows what is there), refused with
/// <see cref="DicomReadOptions.RefuseTruncation"/> (an archive's ingest must not store it as whole).
/// </summary>
public sealed class TruncationTests
{
    private static readonly DicomReadOptions Refusing = new() { RefuseTruncation = true };

    private static DicomDataset WithTwoSequenceItems()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
        ds.Set(DicomTag.SOPInstanceUID, "1.2.3.4");
        ds.Set(DicomTag.PatientID, "PID-CUT");
        var first = new DicomDataset();
        first.Set(DicomTag.CodeValue, "FIRST-ITEM");
        var second = new DicomDataset();
        second.Set(DicomTag.CodeValue, "SECOND-ITEM-WITH-A-LONGER-VALUE");
        ds.SetSequence(DicomTag.ConceptNameCodeSequence, first, second);
        return ds;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void A_file_ending_inside_an_element_header_is_refused_only_when_asked(int headerBytes)
    {
        var whole = DicomFileWriter.Write(new DicomFile(WithTwoSequenceItems()));
        var extra = new DicomDataset();
        extra.Set(DicomTag.StudyDescription, "TAIL");
        var tail = DicomDatasetWriter.Write(extra, DicomTransferSyntax.ExplicitVRLittleEndian);
        var cut = whole.Concat(tail.Take(headerBytes)).ToArray();

        Assert.Equal("PID-CUT", DicomFileReader.Read(cut).Dataset.GetString(DicomTag.PatientID));
        var refused = Assert.Throws<DicomFormatException>(() => DicomFileReader.Read(cut, Refusing));
        Assert.Contains("ends inside an element header", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_padding_after_the_data_set_is_not_a_cut()
    {
        var padded = DicomFileWriter.Write(new DicomFile(WithTwoSequenceItems())).Concat(new byte[3]).ToArray();

        Assert.Equal("PID-CUT", DicomFileReader.Read(padded, Refusing).Dataset.GetString(DicomTag.PatientID));
    }

    [Fact]
    public void A_defined_length_sequence_cut_by_the_end_of_the_input_is_refused_only_when_asked()
    {
        var whole = DicomFileWriter.Write(new DicomFile(WithTwoSequenceItems()), new DicomWriteOptions { DefinedLengthSequences = true });
        // Without its second item (8-byte item header + 8-byte element header + 32-byte value), the sequence being the
        // data set's last element: its declared length runs past the end.
        var cut = whole[..^48];

        var lenient = DicomFileReader.Read(cut).Dataset.GetSequenceItems(DicomTag.ConceptNameCodeSequence);
        Assert.Equal("FIRST-ITEM", Assert.Single(lenient).GetString(DicomTag.CodeValue));
        var refused = Assert.Throws<DicomFormatException>(() => DicomFileReader.Read(cut, Refusing));
        Assert.Contains("bytes needed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_short_is_refused_like_a_buffer()
    {
        var whole = DicomFileWriter.Write(new DicomFile(WithTwoSequenceItems()), new DicomWriteOptions { DefinedLengthSequences = true });
        await using var cut = new MemoryStream(whole[..^48]);

        await Assert.ThrowsAsync<DicomFormatException>(() => DicomFileReader.ReadAsync(cut, Refusing, TestContext.Current.CancellationToken));
    }
}
