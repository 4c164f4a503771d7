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

    [Fact]
    public void Certificate_is_found_in_kestrel_configuration()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        Assert.False(HttpsPolicy.IsCertificateConfigured(Config()));
        Assert.True(HttpsPolicy.IsCertificateConfigured(Config(("Kestrel:Certificates:Default:Path", "/certs/mirc.pfx"))));
        Assert.True(HttpsPolicy.IsCertificateConfigured(Config(("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:8443"), ("Kestrel:Endpoints:Https:Certificate:Subject", "mirc.example"))));
    }
}
