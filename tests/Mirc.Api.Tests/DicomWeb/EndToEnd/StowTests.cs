using System.Net;
using System.Text;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

[Collection(StoredStudyCollection.Name)]
public sealed class StowTests(StoredStudyFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public void Multi_series_study_is_stored_and_every_instance_referenced_with_its_retrieve_url()
    {
        Assert.Equal(200, fixture.StowStatus);
        var referenced = fixture.StowResponse.GetProperty("00081199").GetProperty("Value");
        Assert.Equal(fixture.Instances.Count, referenced.GetArrayLength());
        foreach (var item in referenced.EnumerateArray())
        {
            var sop = item.DicomValue("00081155")!;
            var instance = fixture.Instance(sop);
            Assert.Equal(instance.SopClassUid, item.DicomValue("00081150"));
            Assert.EndsWith($"/dicomweb/studies/{instance.StudyUid}/series/{instance.SeriesUid}/instances/{sop}", item.DicomValue("00081190"));
        }
        Assert.EndsWith($"/dicomweb/studies/{fixture.Study.StudyUid}", fixture.StowResponse.DicomValue("00081190"));
        Assert.False(fixture.StowResponse.TryGetProperty("00081198", out _));
    }

    [Fact]
    public async Task Storing_the_same_bytes_again_is_idempotent_success()
    {
        var response = await Http.StowAsync([fixture.Instances[0].Bytes]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Instance_of_another_study_posted_to_a_study_url_fails_with_409_and_a_failure_reason()
    {
        var other = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        var response = await Http.StowAsync([other.Bytes], fixture.Study.StudyUid);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var json = await response.ReadJsonAsync();
        var failed = json.GetProperty("00081198").GetProperty("Value")[0];
        Assert.Equal(other.SopUid, failed.DicomValue("00081155"));
        Assert.Equal(0xA900, int.Parse(failed.DicomValue("00081197")!));
        Assert.Equal(0, await CountStudyAsync(other.StudyUid));
    }

    [Fact]
    public async Task Some_parts_failing_answers_202_with_both_sequences()
    {
        var good = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        var response = await Http.StowAsync([good.Bytes, Encoding.ASCII.GetBytes("this is not DICOM at all, just text padding it out")]);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.Equal(1, json.GetProperty("00081199").GetProperty("Value").GetArrayLength());
        Assert.Equal(0xC000, int.Parse(json.GetProperty("00081198").GetProperty("Value")[0].DicomValue("00081197")!));
    }

    [Fact]
    public async Task Unreadable_instance_failure_item_names_the_SOP_instance_read_from_its_meta()
    {
        var instance = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        var truncated = instance.Bytes.AsSpan(0, 400).ToArray();
        var response = await Http.StowAsync([truncated]);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var failed = (await response.ReadJsonAsync()).GetProperty("00081198").GetProperty("Value")[0];
        Assert.Equal(instance.SopUid, failed.DicomValue("00081155"));
        Assert.Equal(instance.SopClassUid, failed.DicomValue("00081150"));
        Assert.Equal(0xC000, int.Parse(failed.DicomValue("00081197")!));
    }

    [Fact]
    public async Task Three_hundred_bad_parts_answer_one_summary_warning_header_and_the_details_in_the_body()
    {
        var good = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        var bad = Enumerable.Range(0, 300).Select(i => Encoding.ASCII.GetBytes($"not DICOM, part {i + 2}, padded to look like a file"));
        var response = await Http.StowAsync([good.Bytes, .. bad]);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var warning = Assert.Single(response.Headers.GetValues("Warning"));
        Assert.StartsWith("299 mirc \"300 of 301 part(s) not stored", warning, StringComparison.Ordinal);
        var failed = (await response.ReadJsonAsync()).GetProperty("00081198").GetProperty("Value");
        Assert.Equal(300, failed.GetArrayLength());
        // Error Comment (0000,0902): the reason of each part, in words, numbered as sent.
        Assert.StartsWith("Part 2:", failed[0].DicomValue("00000902"), StringComparison.Ordinal);
        Assert.StartsWith("Part 301:", failed[299].DicomValue("00000902"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_multipart_is_400_and_nothing_is_stored()
    {
        var instance = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        // The body never contains the announced boundary.
        var body = new ByteArrayContent([.. Encoding.ASCII.GetBytes("--wrong-boundary\r\nContent-Type: application/dicom\r\n\r\n"), .. instance.Bytes]);
        body.Headers.TryAddWithoutValidation("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=expected-boundary");
        var response = await Http.PostAsync("/dicomweb/studies", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await CountStudyAsync(instance.StudyUid));

        var noBoundary = new ByteArrayContent(instance.Bytes);
        noBoundary.Headers.TryAddWithoutValidation("Content-Type", "multipart/related; type=\"application/dicom\"");
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync("/dicomweb/studies", noBoundary, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Non_multipart_body_is_415_with_a_hint_how_to_wrap_it()
    {
        var body = new ByteArrayContent(fixture.Instances[0].Bytes);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/dicom");
        var response = await Http.PostAsync("/dicomweb/studies", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var detail = (await response.ReadJsonAsync()).GetProperty("detail").GetString();
        Assert.Contains("single part of a multipart/related; type=\"application/dicom\"", detail);
    }

    [Theory]
    [InlineData(73, true)] // Orthanc 1.10's STOW-RS client
    [InlineData(200, false)]
    [InlineData(70, false)]
    public async Task Long_boundaries_unquoted_type_and_bodies_without_length_are_stored(int boundaryLength, bool unquotedType)
    {
        var instance = SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1);
        var boundary = new string('=', 4) + Guid.NewGuid().ToString("N") + new string('x', boundaryLength - 36);
        Assert.Equal(boundaryLength, boundary.Length);
        var bytes = new MemoryStream();
        bytes.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
        bytes.Write(instance.Bytes);
        bytes.Write(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        // No Content-Length: the body is sent chunked, as Odil and streaming clients do.
        var body = new StreamContent(new MemoryStream(bytes.ToArray()));
        body.Headers.TryAddWithoutValidation("Content-Type", unquotedType
            ? $"multipart/related;type=application/dicom;boundary={boundary}"
            : $"multipart/related; type=\"application/dicom\"; boundary=\"{boundary}\"");
        var request = new HttpRequestMessage(HttpMethod.Post, "/dicomweb/studies") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountStudyAsync(instance.StudyUid));
    }

    private async Task<int> CountStudyAsync(string studyUid)
    {
        var response = await Http.GetAsync($"/dicomweb/studies?StudyInstanceUID={studyUid}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetArrayLength();
    }
}
