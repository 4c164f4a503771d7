using System.Net;
using Microsoft.Extensions.Configuration;

namespace Mirc.Api.Authentication;

/// <summary>
/// Transport rule: HTTPS with a configured certificate everywhere; plain HTTP only on loopback (embedded default, local
/// proxy) or in the explicit behind-a-TLS-terminating-proxy mode. Call <see cref="Validate"/> at start-up with
/// <see cref="ListenUrls"/>.
/// </summary>
public static class HttpsPolicy
{
    /// <summary>
    /// Every address the host may listen on: <paramref name="httpUrl"/> (<c>Mirc:HttpUrl</c>) and each
    /// <c>Kestrel:Endpoints:*:Url</c> (which Kestrel prefers over the former when present).
    /// </summary>
    public static IReadOnlyList<string> ListenUrls(IConfiguration configuration, string httpUrl)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return [httpUrl, .. configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>()];
    }

    /// <summary>Problems with <paramref name="urls"/> (empty when compliant).</summary>
    /// <param name="urls">Listen URLs (each may hold several separated by ';').</param>
    /// <param name="certificateConfigured">Kestrel has a certificate (required by https URLs).</param>
    /// <param name="behindTlsProxy">Explicit proxy mode (<c>Mirc:Http:BehindTlsProxy</c>): plain HTTP allowed on any interface.</param>
    public static IReadOnlyList<string> Check(IEnumerable<string> urls, bool certificateConfigured, bool behindTlsProxy = false)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var problems = new List<string>();
        foreach (var raw in urls.SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            // Kestrel wildcards (*, +) mean "every interface": never loopback-only.
            var normalized = raw.Replace("://*", "://wildcard.invalid", StringComparison.Ordinal).Replace("://+", "://wildcard.invalid", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
            {
                problems.Add($"'{raw}' is not an absolute URL");
                continue;
            }

            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                if (!certificateConfigured)
                {
                    problems.Add($"'{raw}' uses HTTPS but no certificate is configured (Kestrel:Certificates:Default)");
                }
            }
            else if (uri.Scheme == Uri.UriSchemeHttp)
            {
                if (!IsLoopback(uri.Host) && !behindTlsProxy)
                {
                    problems.Add($"'{raw}' serves plain HTTP on a non-loopback interface: use HTTPS with a certificate, or set Mirc:Http:BehindTlsProxy with Mirc:Http:TrustedProxies behind a TLS-terminating proxy");
                }
            }
            else
            {
                problems.Add($"'{raw}' has unsupported scheme '{uri.Scheme}'");
            }
        }

        return problems;
    }

    /// <summary>Throws when <paramref name="urls"/> break the transport rule.</summary>
    /// <exception cref="InvalidOperationException">Listing every problem.</exception>
    public static void Validate(IEnumerable<string> urls, bool certificateConfigured, bool behindTlsProxy = false)
    {
        var problems = Check(urls, certificateConfigured, behindTlsProxy);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Insecure HTTP configuration: " + string.Join("; ", problems));
        }
    }

    /// <summary>Whether Kestrel has a certificate in configuration (default certificate or one per endpoint).</summary>
    public static bool IsCertificateConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = configuration.GetSection("Kestrel:Certificates:Default");
        if (!string.IsNullOrEmpty(defaults["Path"]) || !string.IsNullOrEmpty(defaults["Subject"]))
        {
            return true;
        }

        return configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Any(e => !string.IsNullOrEmpty(e["Certificate:Path"]) || !string.IsNullOrEmpty(e["Certificate:Subject"]));
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
