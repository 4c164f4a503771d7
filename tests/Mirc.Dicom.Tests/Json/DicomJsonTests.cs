using System.Text;
using System.Text.Json;
using Mirc.Dicom.Tests.Dcmtk;
using Xunit;

namespace Mirc.Dicom.Tests.Json;

public sealed class DicomJsonTests
{
    [Fact]
    public void Json_has_the_PS3_18_shapes()
    {
        var ds = TestDatasets.Rich();
        var json = DicomJson.Serialize(ds);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("PN", root.GetProperty("00100010").GetProperty("vr").GetString());
        Assert.Equal("DUPONT^Hélène", root.GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("00200011").GetProperty("Value")[0].ValueKind);
        Assert.Equal(7, root.GetProperty("00200011").GetProperty("Value")[0].GetInt32());
        Assert.Equal(-125.5, root.GetProperty("00200032").GetProperty("Value")[0].GetDouble());
        Assert.Equal(4, root.GetProperty("00280010").GetProperty("Value")[0].GetInt32());
        Assert.Equal("00181063", root.GetProperty("00280009").GetProperty("Value")[0].GetString());
        Assert.Equal(Convert.ToBase64String(ds[DicomTag.PixelData]!.Buffer.Span), root.GetProperty("7FE00010").GetProperty("InlineBinary").GetString());
        var seq = root.GetProperty("00120064").GetProperty("Value");
        Assert.Equal(2, seq.GetArrayLength());
        Assert.Equal("113100", seq[0].GetProperty("00080100").GetProperty("Value")[0].GetString());
        Assert.False(root.GetProperty("00081110").TryGetProperty("Value", out _));
    }

    [Fact]
    public void Json_round_trips()
    {
        var ds = TestDatasets.Rich();
        var back = DicomJson.Read(DicomJson.Serialize(ds));
        SemanticAssert.Equal(ds, back);
        DatasetAssert.Equal(ds, back);
    }

    [Fact]
    public void Bulk_data_uri_is_decided_by_the_callback_above_the_threshold()
    {
        var ds = TestDatasets.MultiFrame(2, 32, 32);
        ds.Set(new DicomTag(0x0029, 0x0010), DicomVR.LO, "P");
        ds.Set(new DicomTag(0x0029, 0x1001), DicomVR.OB, new byte[16]);
        var options = new DicomJsonOptions
        {
            BulkDataThreshold = 1000,
            BulkDataUriResolver = (e, _) => $"https://archive/bulk/{e.Tag.ToHexString()}",
        };
        var json = DicomJson.Serialize(ds, options);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("https://archive/bulk/7FE00010", doc.RootElement.GetProperty("7FE00010").GetProperty("BulkDataURI").GetString());
        Assert.True(doc.RootElement.GetProperty("00291001").TryGetProperty("InlineBinary", out _));
        var back = DicomJson.Read(json);
        var reference = Assert.IsType<DicomBulkDataReference>(back[DicomTag.PixelData]);
        Assert.Equal("https://archive/bulk/7FE00010", reference.Uri);
        Assert.Throws<InvalidOperationException>(() => DicomDatasetWriter.Write(back, DicomTransferSyntax.ExplicitVRLittleEndian));

        var xml = DicomXml.Serialize(ds, options);
        Assert.Contains("<BulkData uri=\"https://archive/bulk/7FE00010\"", Encoding.UTF8.GetString(xml));
        Assert.IsType<DicomBulkDataReference>(DicomXml.Read(xml)[DicomTag.PixelData]);
    }

    [Fact]
    public void Xml_keeps_line_breaks_and_private_creators()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.ImageComments, DicomVR.LT, "a\r\nb");
        ds.Set(new DicomTag(0x0029, 0x0010), DicomVR.LO, "ACME");
        ds.Set(new DicomTag(0x0029, 0x1001), DicomVR.LO, "v");
        var xml = Encoding.UTF8.GetString(DicomXml.Serialize(ds));
        Assert.Contains("tag=\"00290001\"", xml);
        Assert.Contains("privateCreator=\"ACME\"", xml);
        var back = DicomXml.Read(Encoding.UTF8.GetBytes(xml));
        Assert.Equal("a\r\nb", back.GetString(DicomTag.ImageComments));
        Assert.Equal("v", back.GetString(new DicomTag(0x0029, 0x1001)));
    }

    [Fact]
    public void Invalid_json_throws_DicomFormatException()
    {
        Assert.Throws<DicomFormatException>(() => DicomJson.Read("{\"0010001\":{\"vr\":\"PN\"}}"u8));
        Assert.Throws<DicomFormatException>(() => DicomJson.Read("{\"00100010\":{\"vr\":\"XX\"}}"u8));
        Assert.Throws<DicomFormatException>(() => DicomJson.Read("{\"00280010\":{\"vr\":\"US\",\"Value\":[\"abc\"]}}"u8));
        Assert.Throws<DicomFormatException>(() => DicomJson.Read("{\"00100010\":"u8));
    }

    [Fact]
    public async Task Dcm2json_output_reads_like_the_file()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("ours.dcm");
        var ds = TestDatasets.Rich();
        await DicomFileWriter.WriteAsync(path, new DicomFile(ds), cancellationToken: TestContext.Current.CancellationToken);
        var json = await DcmtkTools.RunCleanAsync("dcm2json", Encoding.UTF8, path);
        var fromJson = DicomJson.Read(Encoding.UTF8.GetBytes(json.StandardOutput));
        SemanticAssert.Equal(ds, fromJson, ignoreCharacterSet: true);

        var ours = Encoding.UTF8.GetString(DicomJson.Serialize(ds));
        Assert.Contains("\"Alphabetic\":\"DUPONT^Hélène\"", ours);
    }

    [Fact]
    public async Task Dcm2xml_native_output_reads_like_the_file_and_xml_round_trips()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("ours.dcm");
        var ds = TestDatasets.Rich("ISO_IR 192", "山田^太郎=やまだ^たろう");
        await DicomFileWriter.WriteAsync(path, new DicomFile(ds), cancellationToken: TestContext.Current.CancellationToken);
        var xml = await DcmtkTools.RunCleanAsync("dcm2xml", Encoding.UTF8, "-nat", "+Eb", path);
        var fromXml = DicomXml.Read(Encoding.UTF8.GetBytes(xml.StandardOutput));
        // dcmtk 3.6.7 writes OW/OF/OD/OL InlineBinary byte-swapped in native XML: their lengths are compared, not their bytes.
        SemanticAssert.Equal(ds, fromXml, skipWordBinary: true);

        var back = DicomXml.Read(DicomXml.Serialize(ds));
        DatasetAssert.Equal(ds, back);
        Assert.True(back.TryGetPersonName(DicomTag.PatientName, out var pn));
        Assert.Equal("たろう", DicomPersonName.Components(pn.Ideographic)[1]);
        Assert.Equal("太郎", pn.GivenName);
    }
}
