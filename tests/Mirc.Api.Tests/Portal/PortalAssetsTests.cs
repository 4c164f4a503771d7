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

    [Fact]
    public async Task Without_an_openid_connect_client_the_sign_in_offers_local_accounts_only_and_the_page_calls_this_origin_only()
    {
        using var anonymous = fixture.Host.CreateAnonymousClient();
        using (var config = await anonymous.GetAsync("/portal/config.json", Ct))
            Assert.Equal("{\"oidc\":null}", await config.Content.ReadAsStringAsync(Ct));
        using var page = await anonymous.GetAsync("/", Ct);
        Assert.Contains("connect-src 'self';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("script-src 'self'; default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' http://127.0.0.1:9443; "
            + "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            Mirc.Api.Transport.SecurityHeaders.HtmlContentSecurityPolicyConnectingTo("http://127.0.0.1:9443"));
    }
}
