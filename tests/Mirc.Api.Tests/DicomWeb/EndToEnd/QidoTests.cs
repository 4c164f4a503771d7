using System.Net;
using System.Text.Json;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

[Collection(StoredStudyCollection.Name)]
public sealed class QidoTests(StoredStudyFixture fixture)
{
    private HttpClient Http => fixture.Http;
    private StudyDescription Study => fixture.Study;

    private async Task<JsonElement> SearchAsync(string url)
    {
        var response = await Http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Study_is_found_by_keyword_and_by_tag_with_default_attributes()
    {
        var byKeyword = await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}");
        var byTag = await SearchAsync($"/dicomweb/studies?00100020={Study.PatientId}");
        Assert.Equal(byKeyword.ToString(), byTag.ToString());
        var study = Assert.Single(byKeyword.EnumerateArray());
        Assert.Equal(Study.StudyUid, study.DicomValue("0020000D"));
        Assert.Equal(Study.PatientName, study.DicomValue("00100010"));
        Assert.Equal(Study.StudyDate, study.DicomValue("00080020"));
        Assert.Equal(Study.AccessionNumber, study.DicomValue("00080050"));
        Assert.Equal("2", study.DicomValue("00201206"));
        Assert.Equal("4", study.DicomValue("00201208"));
        Assert.Equal("CT", study.DicomValue("00080061"));
        Assert.EndsWith($"/dicomweb/studies/{Study.StudyUid}", study.DicomValue("00081190"));
        Assert.Equal("PN", study.GetProperty("00100010").GetProperty("vr").GetString());
    }

    [Fact]
    public async Task Wildcards_and_date_ranges_match()
    {
        // "PID-" and 8 of the ID's 10 random hex digits: other tests' patients (same fixture) share a shorter prefix by chance.
        Assert.Single((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId[..12]}*&StudyDate=20240101-20241231")).EnumerateArray());
        Assert.Empty((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=-20231231")).EnumerateArray());
    }

    [Fact]
    public async Task Series_are_found_under_the_study_and_at_top_level()
    {
        var series = await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/series");
        Assert.Equal(new[] { fixture.SeriesA, fixture.SeriesB }.Order(), series.EnumerateArray().Select(s => s.DicomValue("0020000E")!).Order());
        var top = await SearchAsync($"/dicomweb/series?SeriesInstanceUID={fixture.SeriesB}");
        var single = Assert.Single(top.EnumerateArray());
        Assert.Equal("2", single.DicomValue("00201209"));
        Assert.Equal(Study.StudyUid, single.DicomValue("0020000D"));
        Assert.EndsWith($"/series/{fixture.SeriesB}", single.DicomValue("00081190"));
    }

    [Fact]
    public async Task Instances_are_found_under_series_study_and_top_level()
    {
        var underSeries = await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/series/{fixture.SeriesA}/instances");
        Assert.Equal(2, underSeries.GetArrayLength());
        var underStudy = await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/instances");
        Assert.Equal(4, underStudy.GetArrayLength());
        var jpeg = fixture.Instances[3];
        var top = Assert.Single((await SearchAsync($"/dicomweb/instances?SOPInstanceUID={jpeg.SopUid}")).EnumerateArray());
        Assert.Equal(jpeg.SopClassUid, top.DicomValue("00080016"));
        Assert.Equal("2", top.DicomValue("00200013"));
        Assert.Equal("8", top.DicomValue("00280010"));
        Assert.Equal(JsonValueKind.Number, top.GetProperty("00200013").GetProperty("Value")[0].ValueKind);
    }

    [Fact]
    public async Task Character_set_timezone_procedure_step_and_bits_allocated_are_returned_by_default()
    {
        var study = Assert.Single((await SearchAsync($"/dicomweb/studies?StudyInstanceUID={Study.StudyUid}")).EnumerateArray());
        Assert.Equal("ISO_IR 192", study.DicomValue("00080005"));
        Assert.Equal("+0100", study.DicomValue("00080201"));

        var series = (await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/series")).EnumerateArray().ToList();
        var b = series.Single(s => s.DicomValue("0020000E") == fixture.SeriesB);
        Assert.Equal(Study.StudyDate, b.DicomValue("00400244"));
        Assert.Equal("101502", b.DicomValue("00400245"));
        Assert.Equal("+0100", b.DicomValue("00080201"));
        Assert.Equal("ISO_IR 192", b.DicomValue("00080005"));

        // Performed Procedure Step Start Date/Time are series matching keys.
        var matched = Assert.Single((await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/series?PerformedProcedureStepStartTime=101502-")).EnumerateArray());
        Assert.Equal(fixture.SeriesB, matched.DicomValue("0020000E"));

        var jpeg = fixture.Instances[3];
        var instance = Assert.Single((await SearchAsync($"/dicomweb/instances?SOPInstanceUID={jpeg.SopUid}")).EnumerateArray());
        Assert.Equal("8", instance.DicomValue("00280100"));
        Assert.Equal(JsonValueKind.Number, instance.GetProperty("00280100").GetProperty("Value")[0].ValueKind);
        Assert.Equal("+0100", instance.DicomValue("00080201"));
        var native = Assert.Single((await SearchAsync($"/dicomweb/instances?SOPInstanceUID={fixture.Instances[0].SopUid}")).EnumerateArray());
        Assert.Equal("16", native.DicomValue("00280100"));
    }

    [Fact]
    public async Task Limit_offset_and_includefield()
    {
        var page1 = await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/instances?limit=3");
        var page2 = await SearchAsync($"/dicomweb/studies/{Study.StudyUid}/instances?limit=3&offset=3");
        Assert.Equal(3, page1.GetArrayLength());
        Assert.Equal(1, page2.GetArrayLength());
        var all = page1.EnumerateArray().Concat(page2.EnumerateArray()).Select(i => i.DicomValue("00080018")!).ToHashSet();
        Assert.Equal(fixture.Instances.Select(i => i.SopUid).ToHashSet(), all);

        var plain = Assert.Single((await SearchAsync($"/dicomweb/series?SeriesInstanceUID={fixture.SeriesA}")).EnumerateArray());
        Assert.False(plain.TryGetProperty("00180015", out _));
        var withAll = Assert.Single((await SearchAsync($"/dicomweb/series?SeriesInstanceUID={fixture.SeriesA}&includefield=all")).EnumerateArray());
        Assert.True(withAll.EnumerateObject().Count() >= plain.EnumerateObject().Count());
    }

    [Fact]
    public async Task Unknown_key_is_ignored_with_a_warning_header()
    {
        var response = await Http.GetAsync($"/dicomweb/studies?PatientID={Study.PatientId}&PatientNam=DOE&_dc=123", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await response.ReadJsonAsync()).EnumerateArray());
        var warnings = response.Headers.GetValues("Warning").ToList();
        Assert.Contains(warnings, w => w.StartsWith("299 ", StringComparison.Ordinal) && w.Contains("'PatientNam'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("'_dc'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Comma_separated_modalities_and_partial_dates_match()
    {
        Assert.Single((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&ModalitiesInStudy=MR,CT")).EnumerateArray());
        Assert.Empty((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&ModalitiesInStudy=MR,US")).EnumerateArray());
        Assert.Single((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=2024")).EnumerateArray());
        Assert.Single((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=202403")).EnumerateArray());
        Assert.Single((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=2023-2024")).EnumerateArray());
        Assert.Empty((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=202402")).EnumerateArray());
        Assert.Empty((await SearchAsync($"/dicomweb/studies?PatientID={Study.PatientId}&StudyDate=2025")).EnumerateArray());
    }

    [Fact]
    public async Task Empty_study_date_is_returned_empty_not_dropped()
    {
        var undated = StudyDescription.Create(studyDate: "");
        var instance = SyntheticInstance.Native(undated, SyntheticInstance.NewUid(), 1, 1);
        Assert.Equal(HttpStatusCode.OK, (await Http.StowAsync([instance.Bytes])).StatusCode);
        var study = Assert.Single((await SearchAsync($"/dicomweb/studies?StudyInstanceUID={undated.StudyUid}")).EnumerateArray());
        var date = study.GetProperty("00080020");
        Assert.Equal("DA", date.GetProperty("vr").GetString());
        Assert.False(date.TryGetProperty("Value", out _));
        Assert.Equal(undated.PatientId, study.DicomValue("00100020"));
    }

    [Fact]
    public async Task Bad_date_range_and_lower_level_key_are_400_with_a_message_per_parameter()
    {
        var badRange = await Http.GetAsync("/dicomweb/studies?StudyDate=20241231-20240101", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        Assert.True((await badRange.ReadJsonAsync()).GetProperty("errors").TryGetProperty("StudyDate", out _));

        var lowerLevel = await Http.GetAsync("/dicomweb/studies?SOPInstanceUID=1.2.3", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, lowerLevel.StatusCode);
    }

    [Fact]
    public async Task Unsupported_accept_is_406()
    {
        var response = await Http.GetAsync("/dicomweb/studies", "application/dicom+xml");
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }
}
