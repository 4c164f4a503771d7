using System.Text;
using Mirc.Dicom.Tests.Dcmtk;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Codec;

/// <summary>
/// Issue 15's codec tolerance, each on a file another tool wrote (pydicom; a few bytes changed after writing where
/// pydicom will not write the defect): the reader reads what dcmdump (or, for stray bytes, pydicom) reads, whole and
/// header-only from a non-seekable stream as ingest does.
/// </summary>
public sealed class IndependentToleranceTests(ToleranceFiles files) : IClassFixture<ToleranceFiles>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(DicomFile Whole, DicomFile Header)> ReadBothAsync(string name, bool dcmdumpReads = true)
    {
        var path = files[name];
        if (dcmdumpReads) await DcmtkTools.RunCleanAsync("dcmdump", "-q", path);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var whole = DicomFileReader.Read(bytes);
        await using var stream = new NonSeekableStream(bytes, 1000);
        var header = await DicomFileReader.ReadAsync(stream, new DicomReadOptions { StopAtPixelData = true, ReadBufferSize = 512 }, Ct);
        Assert.Equal("TOL-15", whole.Dataset.GetString(DicomTag.PatientID));
        Assert.Equal("TOL-15", header.Dataset.GetString(DicomTag.PatientID));
        Assert.NotNull(header.PixelData);
        return (whole, header);
    }

    [Fact]
    public async Task Meta_without_transfer_syntax_is_read_with_the_syntax_inferred()
    {
        var (whole, header) = await ReadBothAsync("meta_without_transfer_syntax.dcm");
        Assert.False(whole.FileMetaInformation.Contains(DicomTag.TransferSyntaxUID));
        Assert.False(whole.HadNoFileMeta);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, whole.TransferSyntax);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, header.TransferSyntax);
    }

    [Fact]
    public async Task Encapsulated_icon_inside_a_sequence_item_is_read()
    {
        var (whole, header) = await ReadBothAsync("icon_with_encapsulated_pixel_data.dcm");
        var icon = Assert.Single(whole.Dataset.GetSequenceItems(DicomTag.IconImageSequence));
        var iconPixels = Assert.IsType<DicomFragmentSequence>(icon[DicomTag.PixelData]);
        var pixels = Assert.IsType<DicomFragmentSequence>(whole.Dataset[DicomTag.PixelData]);
        Assert.Single(iconPixels.Fragments);
        Assert.Equal(0xFF, iconPixels.Fragments[0].Span[0]);
        Assert.Equal(0xD8, iconPixels.Fragments[0].Span[1]);
        Assert.Equal(pixels.Fragments[0].ToArray(), iconPixels.Fragments[0].ToArray());
        Assert.Single(header.Dataset.GetSequenceItems(DicomTag.IconImageSequence));
        Assert.True(header.PixelData!.IsEncapsulated);
        Assert.Single(header.PixelData.Fragments!);
    }

    [Fact]
    public async Task Undefined_length_items_in_a_defined_length_sequence_and_a_private_sequence_are_read()
    {
        var (whole, _) = await ReadBothAsync("undefined_length_items.dcm");
        Assert.Equal("T-D1100", Assert.Single(whole.Dataset.GetSequenceItems(DicomTag.AnatomicRegionSequence)).GetString(DicomTag.CodeValue));
        var item = Assert.Single(whole.Dataset.GetSequenceItems(new DicomTag(0x0029, 0x1010)));
        Assert.Equal("inside", Encoding.ASCII.GetString(item[new DicomTag(0x0029, 0x1001)]!.Buffer.Span).Trim());
    }

    [Fact]
    public async Task Wrong_and_unknown_VRs_are_read_as_written()
    {
        var (whole, header) = await ReadBothAsync("wrong_vrs_and_unknown_vr_patched.dcm");
        Assert.Equal(DicomVR.LO, whole.Dataset[DicomTag.PatientName]!.VR);
        Assert.Equal("TOLERANCE^Test", Encoding.ASCII.GetString(whole.Dataset[DicomTag.PatientName]!.Buffer.Span));
        Assert.Equal(DicomVR.SS, whole.Dataset[DicomTag.Rows]!.VR);
        var unknown = whole.Dataset[new DicomTag(0x0029, 0x1020)]!;
        Assert.Equal(DicomVR.UN, unknown.VR);
        Assert.Equal("unknown VR value", Encoding.ASCII.GetString(unknown.Buffer.Span));
        Assert.True(header.Dataset.Contains(new DicomTag(0x0029, 0x1020)));
    }

    [Fact]
    public async Task Odd_length_values_are_read_with_their_length()
    {
        var (whole, _) = await ReadBothAsync("odd_length_values_patched.dcm");
        Assert.Equal(5, whole.Dataset[DicomTag.StudyDescription]!.Buffer.Length);
        Assert.Equal("ODD15", whole.Dataset.GetString(DicomTag.StudyDescription));
        Assert.Equal(new byte[] { 1, 2, 3 }, whole.Dataset[new DicomTag(0x0009, 0x1001)]!.Buffer.ToArray());
    }

    [Fact]
    public async Task Wrong_group_lengths_are_ignored()
    {
        var (whole, _) = await ReadBothAsync("wrong_group_lengths.dcm");
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, whole.TransferSyntax);
        Assert.Equal("TOLERANCE^Test", whole.Dataset.GetString(DicomTag.PatientName));
    }

    [Theory]
    [InlineData("trailing_padding.dcm", true)]
    [InlineData("pydicom_only_trailing_zeros_appended.dcm", false)]
    [InlineData("pydicom_only_three_stray_bytes_appended.dcm", false)]
    public async Task Trailing_padding_and_stray_bytes_after_the_data_set_are_ignored(string name, bool dcmdumpReads)
    {
        var (whole, _) = await ReadBothAsync(name, dcmdumpReads);
        Assert.Equal(64, whole.Dataset[new DicomTag(0xFFFC, 0xFFFC)]!.Buffer.Length);
        Assert.DoesNotContain(whole.Dataset, e => e.Tag.Value == 0);
    }
}
