using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>Files produced by our writer are read by dcmtk without warnings and list the same elements.</summary>
public sealed class WriterAcceptedByDcmtkTests
{
    public static TheoryData<string> Syntaxes => new()
    {
        DicomTransferSyntax.ExplicitVRLittleEndian.Uid,
        DicomTransferSyntax.ImplicitVRLittleEndian.Uid,
        DicomTransferSyntax.ExplicitVRBigEndian.Uid,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid,
    };

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public async Task Written_file_is_clean_for_dcmdump_and_matches_dcm2xml(string syntaxUid)
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("ours.dcm");
        var ds = TestDatasets.Rich();
        await DicomFileWriter.WriteAsync(path, new DicomFile(ds, DicomTransferSyntax.Lookup(syntaxUid)), cancellationToken: TestContext.Current.CancellationToken);

        var dump = await DcmtkTools.RunCleanAsync("dcmdump", "+L", path);
        Assert.Contains("DUPONT^H", dump.StandardOutput);
        Assert.Contains(DicomUids.ImplementationClassUid, dump.StandardOutput);
        Assert.Contains("MIRC_ORLEANS_1", dump.StandardOutput);

        var back = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(path, back.Dataset);
        Assert.Equal("DUPONT^Hélène", back.Dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public async Task Defined_length_sequences_are_clean_for_dcmdump()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("defined.dcm");
        await DicomFileWriter.WriteAsync(path, new DicomFile(TestDatasets.Rich(), DicomTransferSyntax.ExplicitVRLittleEndian),
            new DicomWriteOptions { DefinedLengthSequences = true }, TestContext.Current.CancellationToken);
        var dump = await DcmtkTools.RunCleanAsync("dcmdump", "+L", path);
        Assert.Contains("Sequence with explicit length", dump.StandardOutput);
        var back = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(path, back.Dataset);
    }

    [Fact]
    public async Task Utf8_names_are_read_by_dcmtk()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("utf8.dcm");
        var ds = TestDatasets.Rich("ISO_IR 192", "山田^太郎=やまだ^たろう");
        await DicomFileWriter.WriteAsync(path, new DicomFile(ds), cancellationToken: TestContext.Current.CancellationToken);
        var json = await DcmtkTools.RunCleanAsync("dcm2json", System.Text.Encoding.UTF8, path);
        Assert.Contains("山田^太郎", json.StandardOutput);
        var back = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(back.Dataset.TryGetPersonName(DicomTag.PatientName, out var pn));
        Assert.Equal("山田", pn.FamilyName);
        Assert.Equal("やまだ^たろう", pn.Ideographic);
    }
}
