using System.ComponentModel.DataAnnotations;
using System.Net;
using Mirc.Grains.Research;
using Xunit;

namespace Mirc.Grains.Tests.Research;

/// <summary>
/// The per-instance outcome of a STOW-RS answer (PS3.18 Table 10.5.3-1: Referenced / Failed SOP Sequence) and the
/// start-up checks of research PACS destinations (no credential or health data in clear over a network).
/// </summary>
public sealed class ResearchStowTests
{
    private static readonly StowInstance[] Three = [new("2.25.1", []), new("2.25.2", []), new("2.25.3", [])];

    [Fact]
    public void A_partial_answer_fails_the_listed_instance_and_those_not_referenced()
    {
        const string body = """
            { "00081198": { "vr": "SQ", "Value": [ { "00081155": { "vr": "UI", "Value": ["2.25.2"] }, "00081197": { "vr": "US", "Value": [42752] } } ] },
              "00081199": { "vr": "SQ", "Value": [ { "00081155": { "vr": "UI", "Value": ["2.25.1"] } } ] } }
            """;
        var outcomes = ResearchStowClient.Outcomes(Three, HttpStatusCode.Accepted, body);

        Assert.Null(outcomes[0]);
        Assert.Contains("refused by the PACS (failure reason 42752, HTTP 202)", outcomes[1], StringComparison.Ordinal);
        Assert.Contains("not acknowledged", outcomes[2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_200_answer_stores_all_unless_listed_failed_and_a_409_without_body_fails_all()
    {
        Assert.All(ResearchStowClient.Outcomes(Three, HttpStatusCode.OK, ""), Assert.Null);
        Assert.All(ResearchStowClient.Outcomes(Three, HttpStatusCode.Conflict, ""), o => Assert.Contains("HTTP 409", o, StringComparison.Ordinal));
        // An array of one dataset (some servers) reads the same.
        var outcomes = ResearchStowClient.Outcomes(Three, HttpStatusCode.OK, """[ { "00081198": { "vr": "SQ", "Value": [ { "00081155": { "vr": "UI", "Value": ["2.25.3"] } } ] } } ]""");
        Assert.Null(outcomes[0]);
        Assert.NotNull(outcomes[2]);
    }

    [Theory]
    [InlineData("https://pacs.example.org/dicom-web/studies", "token", null, null, true)]
    [InlineData("http://127.0.0.1:8042/dicom-web/studies", null, "research", "pw", true)]
    [InlineData("http://pacs.example.org/dicom-web/studies", "token", null, null, false)]
    [InlineData("https://user:pw@pacs.example.org/dicom-web/studies", null, null, null, false)]
    [InlineData("https://pacs.example.org/dicom-web/studies?token=x", null, null, null, false)]
    [InlineData("https://pacs.example.org/dicom-web/studies", "token", "research", "pw", false)]
    [InlineData("https://pacs.example.org/dicom-web/studies", null, "research", null, false)]
    [InlineData("ftp://pacs.example.org/", null, null, null, false)]
    public void Destinations_are_checked_at_start_up(string url, string? token, string? user, string? password, bool valid)
    {
        var options = new ResearchOptions();
        options.StowDestinations["pacs"] = new StowDestinationOptions { Url = new Uri(url), BearerToken = token, Username = user, Password = password };
        var results = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.All(results, r => Assert.DoesNotContain("pw", r.ErrorMessage!, StringComparison.Ordinal));
    }
}
