using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;

namespace Mirc.Api.Transport;

/// <summary>
/// The HTTP transport rule at start-up (every listen address checked, see <see cref="HttpsPolicy"/>) and per request
/// (forwarded headers from trusted proxies only, HSTS, security headers, no <c>Server</c> header).
/// </summary>
public static class HttpTransportHostingExtensions
{
    /// <summary>
    /// Checks <paramref name="httpUrl"/> and every <c>Kestrel:Endpoints:*:Url</c> against the transport rule (throws on
    /// a breach, so an insecure configuration never starts) and registers the transport services.
    /// </summary>
    public static WebApplicationBuilder AddMircHttpTransport(this WebApplicationBuilder builder, string httpUrl)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(HttpTransportOptions.Section).Get<HttpTransportOptions>() ?? new HttpTransportOptions();
        var (proxies, networks) = options.ParseTrustedProxies(out var invalid);
        if (invalid.Count > 0)
            throw new InvalidOperationException($"Mirc:Http:TrustedProxies: '{string.Join("', '", invalid)}' is neither an IP address nor a CIDR network");
        if (options.BehindTlsProxy && proxies.Count + networks.Count == 0)
            throw new InvalidOperationException("Mirc:Http:BehindTlsProxy needs Mirc:Http:TrustedProxies (the proxies' addresses or networks): forwarded headers are believed from them only");
        HttpsPolicy.Validate(HttpsPolicy.ListenUrls(builder.Configuration, httpUrl), HttpsPolicy.IsCertificateConfigured(builder.Configuration),
            options.BehindTlsProxy);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Replaces Kestrel's 4 KB-block pool (registered by the web host's defaults, so added after them).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddOptions<HttpTransportOptions>().Bind(builder.Configuration.GetSection(HttpTransportOptions.Section));
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = options.HstsMaxAge;
            hsts.IncludeSubDomains = true;
        });
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Only what the operator listed: the framework's default trust of loopback is dropped too.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) forwarded.KnownProxies.Add(proxy);
            foreach (var network in networks) forwarded.KnownIPNetworks.Add(network);
            forwarded.ForwardLimit = 1;
        });
        return builder;
    }

    /// <summary>Forwarded headers (proxy mode), HSTS on HTTPS, security headers. Call first on the application.</summary>
    public static WebApplication UseMircHttpTransport(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<HttpTransportOptions>>().Value;
        if (options.BehindTlsProxy)
        {
            app.UseForwardedHeaders();
            app.Use(ProxiedOnlyAsync);
        }

        app.UseHsts();
        app.Use(SecurityHeaders.ApplyAsync);
        return app;
    }

    /// <summary>
    /// Behind a proxy, plain HTTP is for the proxy: after the forwarded headers are applied, a request is served only when
    /// the trusted proxy said the client used HTTPS, or it comes from loopback — otherwise it did not come through the
    /// proxy (or the proxy let plain HTTP through) and is refused. Health probes are exempt: they reveal nothing and
    /// come from the node, not through the ingress.
    /// </summary>
    private static Task ProxiedOnlyAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz")
            || context.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer))
            return next();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync("Plain HTTP is accepted only through the TLS-terminating proxy; use HTTPS.");
    }
}
