using System.Net;
using System.Security.Cryptography;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

[Collection(StoredStudyCollection.Name)]
public sealed class WadoTests(StoredStudyFixture fixture)
{
    private const string AnyDicom = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    private HttpClient Http => fixture.Http;
    private StudyDescription Study => fixture.Study;

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    [Fact]
    public async Task Study_is_retrieved_byte_identical_to_what_was_stored()
    {
        var response = await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}", AnyDicom);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart/related", response.Content.Headers.ContentType?.MediaType);
        var parts = await response.ReadPartsAsync();
        Assert.Equal(fixture.Instances.Select(i => Hash(i.Bytes)).Order(), parts.Select(p => Hash(p.Body)).Order());
        Assert.All(parts, p => Assert.StartsWith("application/dicom", p.ContentType));
        Assert.Contains(parts, p => p.ContentType.Contains("transfer-syntax=1.2.840.10008.1.2.4.50"));
    }

    [Fact]
    public async Task Series_and_instance_are_retrieved_byte_identical()
    {
        var series = await (await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}/series/{fixture.SeriesA}", AnyDicom)).ReadPartsAsync();
        Assert.Equal(fixture.Instances.Where(i => i.SeriesUid == fixture.SeriesA).Select(i => Hash(i.Bytes)).Order(), series.Select(p => Hash(p.Body)).Order());

        var instance = fixture.Instances[1];
        var response = await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}/series/{instance.SeriesUid}/instances/{instance.SopUid}", AnyDicom);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.Equal(instance.Bytes, part.Body);
    }

    [Fact]
    public async Task Native_frames_equal_the_pixel_data_in_the_requested_order()
    {
        var instance = fixture.Instances[2];
        var response = await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}/series/{instance.SeriesUid}/instances/{instance.SopUid}/frames/3,1",
            "multipart/related; type=\"application/octet-stream\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = await response.ReadPartsAsync();
        Assert.Equal(2, parts.Count);
        Assert.Equal(instance.Frames[2], parts[0].Body);
        Assert.Equal(instance.Frames[0], parts[1].Body);
        Assert.All(parts, p => Assert.Equal("application/octet-stream", p.ContentType));
    }

    [Fact]
    public async Task Encapsulated_frames_come_in_their_compressed_media_type()
    {
        var jpeg = fixture.Instances[3];
        var url = $"/dicomweb/studies/{Study.StudyUid}/series/{jpeg.SeriesUid}/instances/{jpeg.SopUid}/frames/2";
        var response = await Http.GetAsync(url, "multipart/related; type=\"image/jpeg\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.StartsWith("image/jpeg", part.ContentType);
        Assert.Equal(jpeg.Frames[1], part.Body);

        // octet-stream without transfer-syntax means decoded (Explicit VR LE); these opaque fragments are no JPEG: 406 with the reason.
        var undecodable = await Http.GetAsync(url, "multipart/related; type=\"application/octet-stream\"");
        Assert.Equal(HttpStatusCode.NotAcceptable, undecodable.StatusCode);
        Assert.Contains("cannot be converted", await undecodable.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(url, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*")).StatusCode);
    }

    [Fact]
    public async Task Out_of_range_frame_is_404_and_malformed_list_is_400()
    {
        var instance = fixture.Instances[0];
        var root = $"/dicomweb/studies/{Study.StudyUid}/series/{instance.SeriesUid}/instances/{instance.SopUid}/frames";
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"{root}/9", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"{root}/0,x", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Unservable_accept_is_406_and_unknown_study_is_404()
    {
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}", "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable,
            (await Http.GetAsync($"/dicomweb/studies/{Study.StudyUid}", "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.51")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/dicomweb/studies/{SyntheticInstance.NewUid()}", AnyDicom)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/dicomweb/studies/not-a-uid", AnyDicom)).StatusCode);
    }

    [Fact]
    public async Task Wado_uri_returns_the_stored_file()
    {
        var instance = fixture.Instances[0];
        var response = await Http.GetAsync(
            $"/wado?requestType=WADO&studyUID={instance.StudyUid}&seriesUID={instance.SeriesUid}&objectUID={instance.SopUid}&contentType=application/dicom",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(instance.Bytes, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        // No contentType = image/jpeg (PS3.18 §9): rendered.
        var rendered = await Http.GetAsync($"/wado?requestType=WADO&studyUID={instance.StudyUid}&seriesUID={instance.SeriesUid}&objectUID={instance.SopUid}",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
        Assert.Equal("image/jpeg", rendered.Content.Headers.ContentType?.MediaType);
        var gif = await Http.GetAsync($"/wado?requestType=WADO&studyUID={instance.StudyUid}&seriesUID={instance.SeriesUid}&objectUID={instance.SopUid}&contentType=image/gif",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotAcceptable, gif.StatusCode);
        var invalid = await Http.GetAsync("/wado?requestType=WADO&studyUID=x", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }
}
