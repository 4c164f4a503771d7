using Microsoft.Extensions.Configuration;
using Mirc.Api.Authentication;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

public sealed class HttpsPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", false, true)]
    [InlineData("http://localhost:8080", false, true)]
    [InlineData("http://[::1]:8080", false, true)]
    [InlineData("http://0.0.0.0:8080", false, false)]
    [InlineData("http://*:8080", true, false)]
    [InlineData("http://+:8080", true, false)]
    [InlineData("http://10.1.2.3:8080", true, false)]
    [InlineData("https://0.0.0.0:8443", true, true)]
    [InlineData("https://0.0.0.0:8443", false, false)]
    [InlineData("https://127.0.0.1:8443;http://127.0.0.1:8080", true, true)]
    [InlineData("https://0.0.0.0:8443;http://0.0.0.0:8080", true, false)]
    [InlineData("ftp://127.0.0.1", true, false)]
    public void Plain_http_only_on_loopback_and_https_needs_a_certificate(string urls, bool certificate, bool compliant)
    {
        Assert.Equal(compliant, HttpsPolicy.Check([urls], certificate).Count == 0);
        if (compliant)
        {
            HttpsPolicy.Validate([urls], certificate);
        }
        else
        {
            Assert.Throws<InvalidOperationException>(() => HttpsPolicy.Validate([urls], certificate));
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", false, true)]
    [InlineData("http://*:8080", false, true)]
    [InlineData("https://0.0.0.0:8443", false, false)]
    public void Behind_a_tls_proxy_plain_http_may_listen_anywhere_but_https_still_needs_a_certificate(string urls, bool certificate, bool compliant) =>
        Assert.Equal(compliant, HttpsPolicy.Check([urls], certificate, behindTlsProxy: true).Count == 0);

    [Fact]
    public void Every_kestrel_endpoint_is_a_listen_url_besides_mirc_http_url()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Open:Url"] = "http://0.0.0.0:9000",
            ["Kestrel:Endpoints:Secure:Url"] = "https://0.0.0.0:9443",
            ["Kestrel:Endpoints:Secure:Certificate:Path"] = "/certs/x.pfx",
        }).Build();
        var urls = HttpsPolicy.ListenUrls(configuration, "http://127.0.0.1:8080");
        Assert.Equal(["http://0.0.0.0:9000", "http://127.0.0.1:8080", "https://0.0.0.0:9443"], urls.Order(StringComparer.Ordinal));
        var problem = Assert.Single(HttpsPolicy.Check(urls, HttpsPolicy.IsCertificateConfigured(configuration)));
        Assert.Contains("http://0.0.0.0:9000", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_is_found_in_kestrel_configuration()
    {
        Assert.False(HttpsPolicy.IsCertificateConfigured(Settings.Of()));
        Assert.True(HttpsPolicy.IsCertificateConfigured(Settings.Of(("Kestrel:Certificates:Default:Path", "/certs/mirc.pfx"))));
        Assert.True(HttpsPolicy.IsCertificateConfigured(Settings.Of(("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:8443"), ("Kestrel:Endpoints:Https:Certificate:Subject", "mirc.example"))));
    }
}
