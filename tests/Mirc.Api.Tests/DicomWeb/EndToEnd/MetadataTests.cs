using System.Net;
using System.Text;
using System.Text.Json;
using Mirc.Dicom;
using Mirc.Dicom.PixelData;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

[Collection(StoredStudyCollection.Name)]
public sealed class MetadataTests(StoredStudyFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<JsonElement> MetadataAsync(string url)
    {
        var response = await Http.GetAsync(url, "application/dicom+json");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Study_metadata_has_one_dataset_per_instance_with_header_attributes()
    {
        var metadata = await MetadataAsync($"/dicomweb/studies/{fixture.Study.StudyUid}/metadata");
        Assert.Equal(fixture.Instances.Select(i => i.SopUid).Order(), metadata.EnumerateArray().Select(d => d.DicomValue("00080018")!).Order());
        foreach (var dataset in metadata.EnumerateArray())
        {
            Assert.Equal(fixture.Study.PatientName, dataset.DicomValue("00100010"));
            Assert.Equal(fixture.Study.StudyUid, dataset.DicomValue("0020000D"));
            Assert.False(dataset.TryGetProperty("00020010", out _), "File Meta must not appear in metadata");
        }
        Assert.Single((await MetadataAsync($"/dicomweb/studies/{fixture.Study.StudyUid}/series/{fixture.SeriesB}/instances/{fixture.Instances[3].SopUid}/metadata")).EnumerateArray());
        Assert.Equal(2, (await MetadataAsync($"/dicomweb/studies/{fixture.Study.StudyUid}/series/{fixture.SeriesA}/metadata")).GetArrayLength());
    }

    [Fact]
    public async Task Pixel_data_bulk_data_uri_resolves_to_the_frames()
    {
        var metadata = await MetadataAsync($"/dicomweb/studies/{fixture.Study.StudyUid}/metadata");
        foreach (var dataset in metadata.EnumerateArray())
        {
            var instance = fixture.Instance(dataset.DicomValue("00080018")!);
            var uri = dataset.GetProperty("7FE00010").GetProperty("BulkDataURI").GetString()!;
            Assert.StartsWith("http", uri);
            var response = await Http.GetAsync(uri, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var parts = await response.ReadPartsAsync();
            if (instance.TransferSyntaxUid == "1.2.840.10008.1.2.1")
                Assert.Equal(instance.Frames.SelectMany(f => f).ToArray(), Assert.Single(parts).Body);
            else
                Assert.Equal(instance.Frames, parts.Select(p => p.Body));
        }
    }

    [Fact]
    public async Task Large_header_values_become_bulk_data_uris_that_resolve()
    {
        var native = fixture.Instances[0];
        var dataset = Assert.Single((await MetadataAsync($"/dicomweb/studies/{native.StudyUid}/series/{native.SeriesUid}/instances/{native.SopUid}/metadata")).EnumerateArray());
        var comment = dataset.GetProperty("00204000");
        Assert.Equal("LT", comment.GetProperty("vr").GetString());
        var uri = comment.GetProperty("BulkDataURI").GetString()!;
        var part = Assert.Single(await (await Http.GetAsync(uri, "multipart/related; type=\"application/octet-stream\"")).ReadPartsAsync());
        Assert.Equal(SyntheticInstance.LongComment, Encoding.ASCII.GetString(part.Body));

        var missing = await Http.GetAsync(uri.Replace("00204000", "00091010"), "multipart/related; type=\"application/octet-stream\"");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_encapsulated_icon_has_a_bulk_data_uri_that_resolves_to_its_compressed_bytes()
    {
        // A thumbnail in the Icon Image Sequence of a compressed file is compressed too; its BulkDataURI once answered
        // an empty part (an encapsulated value has no single buffer).
        var study = StudyDescription.Create("20240301");
        var file = DicomFileReader.Read(SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1, frames: 1, rows: 32, columns: 32).Bytes);
        var icon = new DicomDataset()
            .Set(DicomTag.SamplesPerPixel, 1).Set(DicomTag.PhotometricInterpretation, "MONOCHROME2").Set(DicomTag.Rows, 8).Set(DicomTag.Columns, 8)
            .Set(DicomTag.BitsAllocated, 8).Set(DicomTag.BitsStored, 8).Set(DicomTag.HighBit, 7).Set(DicomTag.PixelRepresentation, 0);
        icon.Set(DicomTag.PixelData, DicomVR.OB, Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray());
        file.Dataset.SetSequence(DicomTag.IconImageSequence, icon);
        var compressed = DicomTranscoder.Transcode(file.Dataset, file.TransferSyntax, DicomTransferSyntax.JPEGLSLossless);
        var fragments = (DicomFragmentSequence)compressed.GetSequenceItems(DicomTag.IconImageSequence).Single()[DicomTag.PixelData]!;
        using (var stow = await Http.StowAsync([DicomFileWriter.Write(new DicomFile(compressed, DicomTransferSyntax.JPEGLSLossless))]))
            Assert.Equal(HttpStatusCode.OK, stow.StatusCode);

        var sop = file.Dataset.GetString(DicomTag.SOPInstanceUID);
        var dataset = Assert.Single((await MetadataAsync($"/dicomweb/studies/{study.StudyUid}/metadata")).EnumerateArray());
        Assert.Equal(sop, dataset.DicomValue("00080018"));
        var uri = dataset.GetProperty("00880200").GetProperty("Value")[0].GetProperty("7FE00010").GetProperty("BulkDataURI").GetString()!;
        var response = await Http.GetAsync(uri, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.Equal(fragments.Fragments.SelectMany(f => f.ToArray()).ToArray(), part.Body);
    }

    [Fact]
    public async Task Xml_metadata_is_not_acceptable()
    {
        var response = await Http.GetAsync($"/dicomweb/studies/{fixture.Study.StudyUid}/metadata", "multipart/related; type=\"application/dicom+xml\"");
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }
}
