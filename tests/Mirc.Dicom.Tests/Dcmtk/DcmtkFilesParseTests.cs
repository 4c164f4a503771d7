using System.Text;
using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>Files produced by dcmtk (dump2dcm, dcmconv, img2dcm) parse into the elements dcmtk lists, and round-trip.</summary>
public sealed class DcmtkFilesParseTests
{
    private const string Dump = """
        (0008,0005) CS [ISO_IR 100]
        (0008,0008) CS [ORIGINAL\PRIMARY\AXIAL]
        (0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
        (0008,0018) UI [1.2.826.0.1.3680043.10.1311.98.1]
        (0008,0020) DA [20240131]
        (0008,0030) TM [235959.5]
        (0008,0050) SH [ACC1]
        (0008,0060) CS [OT]
        (0008,1030) LO [Étude thoracique]
        (0010,0010) PN [DUPONT^Hélène]
        (0010,0020) LO [PID1]
        (0010,0030) DA [19700101]
        (0010,1030) DS [72.25]
        (0018,1310) US 0\64\64\0
        (0020,000d) UI [1.2.826.0.1.3680043.10.1311.98.2]
        (0020,000e) UI [1.2.826.0.1.3680043.10.1311.98.3]
        (0020,0011) IS [3]
        (0020,0032) DS [-1.5\2.25\100]
        (0020,0037) DS [1\0\0\0\1\0]
        (0028,0002) US 1
        (0028,0004) CS [MONOCHROME2]
        (0028,0010) US 2
        (0028,0011) US 2
        (0028,0100) US 16
        (0028,0101) US 16
        (0028,0102) US 15
        (0028,0103) US 1
        (0028,0106) SS -5
        (0028,1050) DS [40\400]
        (0028,9110) SQ (Sequence with undefined length)
          (fffe,e000) na (Item with undefined length)
            (0018,0050) DS [1.5]
            (0028,0030) DS [0.5\0.5]
          (fffe,e00d) na (ItemDelimitationItem)
        (fffe,e0dd) na (SequenceDelimitationItem)
        (0029,0010) LO [ACME 1.0]
        (0029,1001) OB 01\02\03
        (0029,1002) UL 7\8
        (0029,1003) FD 3.25
        (0040,0275) SQ (Sequence with undefined length)
          (fffe,e000) na (Item with undefined length)
            (0040,0007) LO [Procédure]
            (0040,0008) SQ (Sequence with undefined length)
              (fffe,e000) na (Item with undefined length)
                (0008,0100) SH [CODE1]
                (0008,0102) SH [99MIRC]
                (0008,0104) LO [Meaning]
              (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e0dd) na (SequenceDelimitationItem)
          (fffe,e00d) na (ItemDelimitationItem)
          (fffe,e000) na (Item with undefined length)
          (fffe,e00d) na (ItemDelimitationItem)
        (fffe,e0dd) na (SequenceDelimitationItem)
        (7fe0,0010) OW 0001\fffe\0003\8004
        """;

    public static TheoryData<string> ConversionOptions => new() { "+ti", "+te", "+tb", "+td" };

    private static async Task<string> Dump2DcmAsync(TempDirectory tmp)
    {
        var dumpPath = tmp.File("input.dump");
        await File.WriteAllTextAsync(dumpPath, Dump, Encoding.Latin1, TestContext.Current.CancellationToken);
        var path = tmp.File("dump2dcm.dcm");
        await DcmtkTools.RunCleanAsync("dump2dcm", "+te", dumpPath, path);
        return path;
    }

    [Fact]
    public async Task Dump2dcm_file_parses_like_dcmtk()
    {
        using var tmp = new TempDirectory();
        var path = await Dump2DcmAsync(tmp);
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(path, file.Dataset);
        Assert.Equal("DUPONT^Hélène", file.Dataset.GetString(DicomTag.PatientName));
        Assert.Equal("Étude thoracique", file.Dataset.GetString(DicomTag.StudyDescription));
        var step = file.Dataset.GetSequenceItems(DicomTag.RequestAttributesSequence)[0];
        Assert.Equal("Procédure", step.GetString(DicomTag.ScheduledProcedureStepDescription));
        Assert.Equal("CODE1", step.GetSequenceItems(DicomTag.ScheduledProtocolCodeSequence)[0].GetString(DicomTag.CodeValue));
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
    }

    [Theory]
    [MemberData(nameof(ConversionOptions))]
    public async Task Dcmconv_outputs_parse_like_dcmtk_and_round_trip(string option)
    {
        using var tmp = new TempDirectory();
        var source = await Dump2DcmAsync(tmp);
        var converted = tmp.File("converted.dcm");
        await DcmtkTools.RunCleanAsync("dcmconv", option, source, converted);

        var file = await DicomFileReader.ReadAsync(converted, cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(converted, file.Dataset);
        var expected = option switch
        {
            "+ti" => DicomTransferSyntax.ImplicitVRLittleEndian,
            "+te" => DicomTransferSyntax.ExplicitVRLittleEndian,
            "+tb" => DicomTransferSyntax.ExplicitVRBigEndian,
            _ => DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        };
        Assert.Equal(expected, file.TransferSyntax);
        Assert.Equal(-5, file.Dataset.GetInt32(DicomTag.SmallestImagePixelValue));
        Assert.Equal([0x0001, 0xFFFE, 0x0003, 0x8004], ReadWords(file.Dataset[DicomTag.PixelData]!.Buffer));

        // read → write (same syntax) → read gives the same elements, and dcmtk agrees with the rewritten file.
        var rewritten = tmp.File("rewritten.dcm");
        await DicomFileWriter.WriteAsync(rewritten, new DicomFile(file.Dataset, file.TransferSyntax), cancellationToken: TestContext.Current.CancellationToken);
        var again = await DicomFileReader.ReadAsync(rewritten, cancellationToken: TestContext.Current.CancellationToken);
        DatasetAssert.Equal(file.Dataset, again.Dataset);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(rewritten, again.Dataset);
    }

    [Fact]
    public async Task Img2dcm_output_parses_like_dcmtk()
    {
        using var tmp = new TempDirectory();
        var bmp = tmp.File("image.bmp");
        await File.WriteAllBytesAsync(bmp, Bitmaps.Rgb24(5, 3), TestContext.Current.CancellationToken);
        var path = tmp.File("img2dcm.dcm");
        await DcmtkTools.RunCleanAsync("img2dcm", "-i", "BMP", bmp, path);
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(path, file.Dataset);
        Assert.Equal(3, file.Dataset.GetInt32(DicomTag.Rows));
        Assert.Equal(5, file.Dataset.GetInt32(DicomTag.Columns));
        Assert.Equal("RGB", file.Dataset.GetString(DicomTag.PhotometricInterpretation));
    }

    private static ushort[] ReadWords(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var result = new ushort[span.Length / 2];
        for (int i = 0; i < result.Length; i++) result[i] = (ushort)(span[2 * i] | span[2 * i + 1] << 8);
        return result;
    }
}
