using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// Every file of the Debian corpus that dcmdump reads without error is read by the codec too, whole and header-only
/// from a non-seekable stream (the way ingest reads), with the same data set either way.
/// </summary>
public sealed class DebianCorpusReadTests
{
    public static TheoryData<string> ReadableFiles() => [.. DebianDicomCorpus.ReadableByDcmdump.Select(f => f.Name)];

    [Fact]
    public void Corpus_is_present()
    {
        Assert.True(DebianDicomCorpus.ReadableByDcmdump.Count() >= 100, $"only {DebianDicomCorpus.ReadableByDcmdump.Count()} corpus files: python3-pydicom missing?");
    }

    [Fact]
    public async Task Encapsulated_pixel_data_declared_OW_is_read_and_written_back_as_OB()
    {
        // pydicom's JPEG 2000 file of 16-bit samples declares its encapsulated pixel data OW; dcmdump shows OB.
        var path = DebianDicomCorpus.PathOf("pydicom/test_files/MR_small_jp2klossless.dcm");
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(DicomVR.OB, Assert.IsType<DicomFragmentSequence>(file.Dataset[DicomTag.PixelData]).VR);
        var written = DicomFileWriter.Write(file);
        Assert.Equal(DicomVR.OB, DicomFileReader.Read(written).Dataset[DicomTag.PixelData]!.VR);
        var at = written.AsSpan().IndexOf(new byte[] { 0xE0, 0x7F, 0x10, 0x00 });
        Assert.Equal("OB", System.Text.Encoding.ASCII.GetString(written, at + 4, 2));
    }

    [Theory]
    [MemberData(nameof(ReadableFiles))]
    public async Task File_dcmdump_reads_is_read(string name)
    {
        var entry = DebianDicomCorpus.Files.Single(f => f.Name == name);
        var bytes = await File.ReadAllBytesAsync(entry.Path, TestContext.Current.CancellationToken);
        var whole = DicomFileReader.Read(bytes);
        await using var stream = new NonSeekableStream(bytes, 4096);
        var header = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);
        Assert.Equal(whole.TransferSyntax, header.TransferSyntax);
        Assert.Equal(whole.Dataset.GetStringOrDefault(DicomTag.SOPInstanceUID), header.Dataset.GetStringOrDefault(DicomTag.SOPInstanceUID));
        Assert.Equal(whole.Dataset.Contains(DicomTag.PixelData), header.PixelData is not null);
    }
}
