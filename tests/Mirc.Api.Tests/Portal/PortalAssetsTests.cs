using System.Net;
using Mirc.Api.Portal;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Xunit;

namespace Mirc.Api.Tests.Portal;

/// <summary>The portal is served at <c>/</c> from the assets compiled into the build, under the HTML security policy.</summary>
[Collection(StoredStudyCollection.Name)]
public sealed class PortalAssetsTests(StoredStudyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_root_serves_the_portal_page_whose_scripts_come_from_this_origin_only()
    {
        Assert.True(PortalAssets.ScriptsBuilt, "The portal scripts are not in Mirc.Api.dll: build with MIRC_TOOLS_DIR (or .tools/) holding npm typescript.");
        using var anonymous = fixture.Host.CreateAnonymousClient();
        using var page = await anonymous.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("script-src 'self';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<script type=\"module\" src=\"/portal/js/main.js\">", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/docs\"", html, StringComparison.Ordinal);

        foreach (var script in new[] { "main", "api", "viewer", "i18n", "dom" })
        {
            using var js = await anonymous.GetAsync($"/portal/js/{script}.js", Ct);
            Assert.Equal(HttpStatusCode.OK, js.StatusCode);
            Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
        }

        using (var css = await anonymous.GetAsync("/portal/portal.css", Ct))
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        using (var missing = await anonymous.GetAsync("/portal/js/nothing.js", Ct))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var source = await anonymous.GetAsync("/portal/scripts/main.ts", Ct))
            Assert.Equal(HttpStatusCode.NotFound, source.StatusCode);
    }
}
