using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>
/// HTTP transport as started by the silo's Program: listen addresses checked at start-up (every Kestrel endpoint),
/// the explicit behind-a-TLS-proxy mode, security headers, and early refusal of oversized STOW-RS bodies.
/// </summary>
public sealed class HttpTransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Plain_http_on_a_non_loopback_kestrel_endpoint_stops_the_start()
    {
        var url = AnyInterfaceUrl();
        await using var host = new ApiHost(new Dictionary<string, string> { ["Kestrel:Endpoints:Open:Url"] = url });
        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("Insecure HTTP configuration", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains(url, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_mode_without_trusted_proxies_stops_the_start()
    {
        await using var host = new ApiHost(new Dictionary<string, string>
        {
            ["Mirc:HttpUrl"] = AnyInterfaceUrl(),
            ["Mirc:Http:BehindTlsProxy"] = "true",
        });
        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("Mirc:Http:TrustedProxies", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_proxy_forwarded_headers_count_only_from_trusted_proxies_and_https_gets_hsts()
    {
        // As the Kubernetes and Container Apps manifests start it (the test server binds nothing).
        await using var host = new ApiHost(new Dictionary<string, string>
        {
            ["Mirc:HttpUrl"] = AnyInterfaceUrl(),
            ["Mirc:Http:BehindTlsProxy"] = "true",
            ["Mirc:Http:TrustedProxies:0"] = "10.1.2.0/24",
        });

        var viaProxy = await SendAsync(host.Server, "/openapi/v1.json", "10.1.2.7", "https");
        Assert.Equal(StatusCodes.Status200OK, viaProxy.Response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", viaProxy.Response.Headers.StrictTransportSecurity.ToString());

        // Not a trusted proxy: its X-Forwarded-Proto is ignored, and plain HTTP from it is refused.
        Assert.Equal(StatusCodes.Status403Forbidden, (await SendAsync(host.Server, "/docs", "198.51.100.20", "https")).Response.StatusCode);
        // The trusted proxy let plain HTTP through: refused as well.
        Assert.Equal(StatusCodes.Status403Forbidden, (await SendAsync(host.Server, "/docs", "10.1.2.7", "http")).Response.StatusCode);
        // Health probes come from the node, not through the ingress.
        Assert.Equal(StatusCodes.Status200OK, (await SendAsync(host.Server, "/healthz", "198.51.100.20", null)).Response.StatusCode);
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_no_server_header_and_a_huge_declared_stow_body_is_refused_at_once()
    {
        await using var host = new ApiHost(realHttp: true);
        host.StartServer();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        using var docs = await http.GetAsync(new Uri("/docs/", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.StartsWith("text/html", docs.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.False(docs.Headers.Contains("Server"));
        Assert.Equal("nosniff", Assert.Single(docs.Headers.GetValues("X-Content-Type-Options")));
        var csp = Assert.Single(docs.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.Ordinal); // nothing from another origin

        // The dashboard shell runs no inline script: the strict policy.
        using var dashboard = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative), Ct);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self';", Assert.Single(dashboard.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.False(health.Headers.Contains("Server"));
        Assert.Equal("nosniff", Assert.Single(health.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(health.Headers.Contains("Content-Security-Policy"));

        // 10^12 bytes declared, none sent: the answer comes without waiting for the body.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress!.Port, Ct);
        var token = host.MintToken(ApiHost.DefaultPrincipal);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            + "Content-Type: multipart/related; type=\"application/dicom\"; boundary=b\r\nContent-Length: 1000000000000\r\n\r\n"), Ct);
        using var answerTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        answerTimeout.CancelAfter(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, answerTimeout.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, n);
        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
    }

    // The start-up check probes this port even though the test server binds nothing: a fixed one (18080 sits in
    // the Orleans test clusters' gateway range) made the start fail when another test process held it.
    private static string AnyInterfaceUrl() => $"http://0.0.0.0:{Mirc.Testing.LoopbackPorts.Next()}";

    private static Task<HttpContext> SendAsync(TestServer server, string path, string peer, string? forwardedProto) =>
        server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Request.Host = new HostString("archive.example");
            context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            context.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
            if (forwardedProto is not null) context.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        }, Ct);
}
