using System.Net;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Dicom;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.Rendered;

/// <summary>WADO-RS transfer-syntax negotiation with transcoding, and the rendered / thumbnail resources.</summary>
public sealed class RenderedAndTranscodingTests(CompressedStudyFixture fixture) : IClassFixture<CompressedStudyFixture>
{
    private HttpClient Http => fixture.Http;

    private string InstanceUrl(string sop) => $"/dicomweb/studies/{fixture.StudyUid}/series/{fixture.SeriesUid}/instances/{sop}";

    [Theory]
    [InlineData(DicomUids.JPEGLosslessSV1)]
    [InlineData(DicomUids.JPEGLSLossless)]
    [InlineData(DicomUids.RLELossless)]
    public async Task Compressed_instance_asked_in_explicit_vr_little_endian_is_decoded_exactly(string stored)
    {
        var response = await Http.GetAsync(InstanceUrl(fixture.Sops[stored]),
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.Contains("transfer-syntax=1.2.840.10008.1.2.1", part.ContentType, StringComparison.Ordinal);
        var file = DicomFileReader.Read(part.Body);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, file.TransferSyntax.Uid);
        Assert.Equal(fixture.Pixels, file.Dataset[DicomTag.PixelData]!.Buffer.ToArray());

        // * is "as stored": the compressed file comes back in its syntax.
        var asStored = await Http.GetAsync(InstanceUrl(fixture.Sops[stored]), "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        var stored1 = Assert.Single(await asStored.ReadPartsAsync());
        Assert.Equal(stored, DicomFileReader.Read(stored1.Body).TransferSyntax.Uid);
    }

    [Fact]
    public async Task Uncompressed_instance_asked_in_jpegls_is_encoded_and_an_impossible_syntax_is_406_with_the_reason()
    {
        var response = await Http.GetAsync(InstanceUrl(fixture.MultiFrameSop),
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.80");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = DicomFileReader.Read(Assert.Single(await response.ReadPartsAsync()).Body);
        Assert.Equal(DicomUids.JPEGLSLossless, file.TransferSyntax.Uid);
        var back = Dicom.PixelData.DicomTranscoder.Transcode(file.Dataset, file.TransferSyntax, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(3 * CompressedStudyFixture.Rows * CompressedStudyFixture.Columns * 2, back[DicomTag.PixelData]!.Buffer.Length);

        // Baseline JPEG holds 8-bit samples: a 16-bit CT named in it is a 406 with the reason (checked before the 200).
        var refused = await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50");
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        var reason = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("cannot be converted to 1.2.840.10008.1.2.4.50", reason, StringComparison.Ordinal);
        Assert.Contains("unsigned 8-bit samples", reason, StringComparison.Ordinal);
        // The extended 12-bit syntax has no encoder here: the 406 says why.
        var extended = await Http.GetAsync(InstanceUrl(fixture.MultiFrameSop),
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.51");
        Assert.Equal(HttpStatusCode.NotAcceptable, extended.StatusCode);
        Assert.Contains("decode-only", await extended.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conversion_failing_mid_study_aborts_the_response_instead_of_leaving_the_instance_out()
    {
        var ct = TestContext.Current.CancellationToken;
        const string explicitLe = "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{fixture.BrokenStudyUid}");
        request.Headers.TryAddWithoutValidation("Accept", explicitLe);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        // The first instance converts and is sent: the 200 is on the wire before the second one fails.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await IsCutAsync(response), "the response ended normally although an instance could not be converted");

        // As stored, the whole study comes back (the stored bytes are served untouched).
        var asStored = await Http.GetAsync($"/dicomweb/studies/{fixture.BrokenStudyUid}", "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        Assert.Equal(3, (await asStored.ReadPartsAsync()).Count);
        // The corrupt instance alone fails before any part: a 406 with the reason.
        var alone = await Http.GetAsync($"/dicomweb/studies/{fixture.BrokenStudyUid}/series/{fixture.SeriesUid}/instances/{fixture.CorruptSop}", explicitLe);
        Assert.Equal(HttpStatusCode.NotAcceptable, alone.StatusCode);
        Assert.Contains("RLE header has 7 segments", await alone.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DicomUids.JPEGLosslessSV1)]
    [InlineData(DicomUids.JPEGLSLossless)]
    [InlineData(DicomUids.RLELossless)]
    public async Task Compressed_frame_asked_as_octet_stream_is_decoded_exactly(string stored)
    {
        var response = await Http.GetAsync(InstanceUrl(fixture.Sops[stored]) + "/frames/1",
            "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.StartsWith("application/octet-stream", part.ContentType, StringComparison.Ordinal);
        Assert.Equal(fixture.Pixels, part.Body);
    }

    [Theory]
    [InlineData("image/jp2", DicomUids.JPEG2000Lossless)]
    [InlineData("image/jls", DicomUids.JPEGLSLossless)]
    [InlineData("image/jpeg", DicomUids.JPEGLosslessSV1)]
    [InlineData("image/dicom-rle", DicomUids.RLELossless)]
    public async Task Frame_of_a_multiframe_instance_is_encoded_in_the_media_types_default_syntax_and_decodes_back_exactly(string mediaType, string syntax)
    {
        var response = await Http.GetAsync(InstanceUrl(fixture.MultiFrameSop) + "/frames/2", $"multipart/related; type=\"{mediaType}\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(await response.ReadPartsAsync());
        Assert.Contains("transfer-syntax=" + syntax, part.ContentType, StringComparison.Ordinal);
        var native = await Http.GetAsync(InstanceUrl(fixture.MultiFrameSop) + "/frames/2", "multipart/related; type=\"application/octet-stream\"");
        var expected = Assert.Single(await native.ReadPartsAsync()).Body;
        var geometry = new Dicom.PixelData.FrameGeometry
        {
            Rows = CompressedStudyFixture.Rows, Columns = CompressedStudyFixture.Columns, BitsAllocated = 16, BitsStored = 16, IsSigned = true,
        };
        var decoded = new byte[geometry.FrameLength];
        Dicom.PixelData.PixelFrameCodecs.Find(syntax)!.Decode(part.Body, geometry, decoded);
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData(DicomUids.JPEGLosslessSV1)]
    [InlineData(DicomUids.JPEGLSLossless)]
    [InlineData(DicomUids.RLELossless)]
    [InlineData(DicomUids.JPEG2000Lossless)]
    public async Task Rendered_png_applies_rescale_and_the_data_set_window(string stored)
    {
        var response = await Http.GetAsync(InstanceUrl(fixture.Sops[stored]) + "/rendered", "image/png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var image = Png.Decode(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((CompressedStudyFixture.Columns, CompressedStudyFixture.Rows, 1), (image.Width, image.Height, image.Channels));
        // HU −1000 (x=0) is below the 40/400 window, +1000 (last column) above; HU 40 lands mid-grey.
        Assert.Equal(0, image.Pixel(0, 10));
        Assert.Equal(255, image.Pixel(CompressedStudyFixture.Columns - 1, 10));
        int middle = (int)Math.Round((1040.0) * (CompressedStudyFixture.Columns - 1) / 2000);
        Assert.InRange(image.Pixel(middle, 10), 100, 155);
    }

    [Fact]
    public async Task Each_frame_of_an_enhanced_image_is_rendered_with_its_own_window_and_the_shared_rescale()
    {
        var url = $"/dicomweb/studies/{fixture.EnhancedStudyUid}/series/{fixture.SeriesUid}/instances/{fixture.EnhancedSop}/frames";
        var first = Png.Decode(await (await Http.GetAsync(url + "/1/rendered", "image/png")).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var second = Png.Decode(await (await Http.GetAsync(url + "/2/rendered", "image/png")).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        // Frame 1, 40/400 in HU (stored − 1024): HU −1000 is black. Frame 2, −600/1500: HU −990 is dark grey, not black.
        Assert.Equal(0, first.Pixel(0, 10));
        Assert.InRange(first.Pixel((int)Math.Round(1040.0 * (CompressedStudyFixture.Columns - 1) / 2000), 10), 100, 155);
        Assert.InRange(second.Pixel(0, 10), 50, 75);
        Assert.Equal(255, second.Pixel(CompressedStudyFixture.Columns - 1, 10));
    }

    [Fact]
    public async Task Window_parameter_overrides_the_data_set_and_thumbnail_fits_the_viewport_as_jpeg()
    {
        var url = InstanceUrl(fixture.MultiFrameSop) + "/frames/2/rendered?window=0,4000,LINEAR";
        var wide = Png.Decode(await (await Http.GetAsync(url, "image/png")).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        // A 4000-wide window centred on 0 keeps HU −1000 and +1000 inside: neither black nor white.
        Assert.InRange(wide.Pixel(0, 0), 50, 80);
        Assert.InRange(wide.Pixel(CompressedStudyFixture.Columns - 1, 0), 175, 205);

        var thumbnail = await Http.GetAsync(InstanceUrl(fixture.MultiFrameSop) + "/thumbnail?viewport=24,24", "image/jpeg");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        var jpeg = await thumbnail.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        var decoder = new JpegLibrary.JpegDecoder();
        decoder.SetInput(jpeg);
        decoder.Identify();
        Assert.Equal((18, 24), (decoder.Width, decoder.Height)); // 48x64 fitted into 24x24

        var series = await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}/series/{fixture.SeriesUid}/thumbnail", "image/png");
        Assert.Equal(HttpStatusCode.OK, series.StatusCode);
        var study = await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}/thumbnail", "*/*");
        Assert.Equal("image/jpeg", study.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Jpeg2000_thumbnail_decoded_at_a_reduced_resolution_matches_the_one_of_the_same_image_fully_decoded()
    {
        var ct = TestContext.Current.CancellationToken;
        // 48×64 into 12×16: two wavelet levels dropped for JPEG 2000; RLE is decoded in full and box-reduced.
        var j2k = Png.Decode(await (await Http.GetAsync(InstanceUrl(fixture.Sops[DicomUids.JPEG2000Lossless]) + "/thumbnail?viewport=12,16", "image/png"))
            .Content.ReadAsByteArrayAsync(ct));
        var rle = Png.Decode(await (await Http.GetAsync(InstanceUrl(fixture.Sops[DicomUids.RLELossless]) + "/thumbnail?viewport=12,16", "image/png"))
            .Content.ReadAsByteArrayAsync(ct));
        Assert.Equal((12, 16), (j2k.Width, j2k.Height));
        Assert.Equal((rle.Width, rle.Height), (j2k.Width, j2k.Height));
        // The window's ramp is steep (0 to 255 over ~10 columns of 48) and the low-pass sits 1.5 source pixels left of
        // the box centre, so the ramp columns differ; elsewhere both are black or white.
        double difference = 0;
        for (int y = 0; y < 16; y++)
        for (int x = 0; x < 12; x++) difference += Math.Abs(j2k.Pixel(x, y) - rle.Pixel(x, y)) / (12.0 * 16);
        Assert.True(difference < 12, $"mean difference {difference:F1} levels between the reduced-resolution and the full-decode thumbnail");
        Assert.Equal(0, j2k.Pixel(0, 8));
        Assert.Equal(255, j2k.Pixel(11, 8));
    }

    [Fact]
    public async Task Rendered_series_and_study_hold_every_frame_of_every_image_as_multipart_parts()
    {
        var ct = TestContext.Current.CancellationToken;
        var series = await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}/series/{fixture.SeriesUid}/rendered", "multipart/related; type=\"image/png\"");
        Assert.Equal(HttpStatusCode.OK, series.StatusCode);
        var parts = await series.ReadPartsAsync();
        // Four single-frame instances and the 3-frame one: 7 parts, each a full-size PNG at its frame's rendered URL.
        Assert.Equal(fixture.Sops.Count + 3, parts.Count);
        foreach (var part in parts)
        {
            Assert.Equal("image/png", part.ContentType);
            var image = Png.Decode(part.Body);
            Assert.Equal((CompressedStudyFixture.Columns, CompressedStudyFixture.Rows), (image.Width, image.Height));
        }
        var locations = parts.Select(p => p.Headers["Content-Location"].ToString()).ToList();
        foreach (var sop in fixture.Sops.Values)
            Assert.Contains(locations, l => l.EndsWith($"/instances/{sop}/frames/1/rendered", StringComparison.Ordinal));
        for (int frame = 1; frame <= 3; frame++)
            Assert.Contains(locations, l => l.EndsWith($"/instances/{fixture.MultiFrameSop}/frames/{frame}/rendered", StringComparison.Ordinal));
        Assert.All(locations, l => Assert.StartsWith($"/dicomweb/studies/{fixture.StudyUid}/series/{fixture.SeriesUid}/instances/", l, StringComparison.Ordinal));

        // The study (JPEG by default, viewport applied to every part); a single-part type alone is refused for a collection.
        var study = await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}/rendered?viewport=24,24", "multipart/related; type=\"image/jpeg\"");
        var jpegs = await study.ReadPartsAsync();
        Assert.Equal(parts.Count, jpegs.Count);
        var decoder = new JpegLibrary.JpegDecoder();
        decoder.SetInput(jpegs[^1].Body);
        decoder.Identify();
        Assert.Equal((18, 24), (decoder.Width, decoder.Height));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Http.GetAsync($"/dicomweb/studies/{fixture.StudyUid}/rendered", "image/jpeg")).StatusCode);

        // A frame that cannot be decoded in the middle: the response is cut, not completed without it.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{fixture.BrokenStudyUid}/rendered");
        request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"image/png\"");
        using var broken = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
        Assert.True(await IsCutAsync(broken), "the rendered study ended normally although a frame could not be rendered");
    }

    /// <summary>True when reading the body fails (connection aborted) and no closing delimiter arrived.</summary>
    private static async Task<bool> IsCutAsync(HttpResponseMessage response)
    {
        var ct = TestContext.Current.CancellationToken;
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(
            Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString()).Boundary).Value!;
        using var body = new MemoryStream();
        try
        {
            await (await response.Content.ReadAsStreamAsync(ct)).CopyToAsync(body, ct);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return !System.Text.Encoding.Latin1.GetString(body.ToArray()).Contains("--" + boundary + "--", StringComparison.Ordinal);
        }
        return false;
    }

    [Fact]
    public async Task Bad_parameters_are_400_absent_frames_404_and_other_media_406()
    {
        var root = InstanceUrl(fixture.MultiFrameSop);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync(root + "/rendered?window=40,0,LINEAR", "image/png")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync(root + "/rendered?viewport=0,10", "image/png")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync(root + "/rendered?quality=101", "image/jpeg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(root + "/frames/4/rendered", "image/png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Http.GetAsync(root + "/rendered", "image/gif")).StatusCode);
    }

    [Fact]
    public async Task Rendered_resources_need_the_same_access_as_wado()
    {
        using var anonymous = fixture.Host.CreateAnonymousClient();
        var response = await anonymous.GetAsync(InstanceUrl(fixture.MultiFrameSop) + "/rendered", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var stranger = fixture.Host.CreateClient(Hosting.ApiHost.Professional("750000002", Grains.Interfaces.Security.MircRoles.Radiologist, "10000000099"));
        var hidden = await stranger.GetAsync(InstanceUrl(fixture.MultiFrameSop) + "/thumbnail", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);

        // The study and series renderings (every frame of every image) too: nothing for a caller of another establishment.
        foreach (var url in new[] { $"/dicomweb/studies/{fixture.StudyUid}/rendered", $"/dicomweb/studies/{fixture.StudyUid}/series/{fixture.SeriesUid}/rendered" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"image/png\"");
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
            using var strangers = new HttpRequestMessage(HttpMethod.Get, url);
            strangers.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"image/png\"");
            var answer = await stranger.SendAsync(strangers, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }
    }

    [Fact]
    public async Task Wado_uri_renders_with_window_and_size_and_transcodes_application_dicom()
    {
        var sop = fixture.Sops[DicomUids.JPEGLSLossless];
        var root = $"/wado?requestType=WADO&studyUID={fixture.StudyUid}&seriesUID={fixture.SeriesUid}&objectUID={sop}";
        var png = await Http.GetAsync(root + "&contentType=image/png&windowCenter=0&windowWidth=4000&rows=32&columns=32", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        var image = Png.Decode(await png.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((24, 32), (image.Width, image.Height));
        Assert.InRange(image.Pixel(0, 0), 50, 80);

        var dicom = await Http.GetAsync(root + "&contentType=application/dicom&transferSyntax=1.2.840.10008.1.2.1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, dicom.StatusCode);
        var file = DicomFileReader.Read(await dicom.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, file.TransferSyntax.Uid);
        Assert.Equal(fixture.Pixels, file.Dataset[DicomTag.PixelData]!.Buffer.ToArray());

        var badWindow = await Http.GetAsync(root + "&windowCenter=40", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
    }
}
