using System.Net;
using Microsoft.Extensions.Configuration;

namespace Mirc.Api.Authentication;

/// <summary>
/// Transport rule: HTTPS with a configured certificate everywhere; plain HTTP only on loopback (embedded default,
/// or behind a local TLS-terminating proxy). Call <see cref="Validate"/> at start-up with the listen URLs.
/// </summary>
public static class HttpsPolicy
{
    /// <summary>Problems with <paramref name="urls"/> (empty when compliant).</summary>
    public static IReadOnlyList<string> Check(IEnumerable<string> urls, bool certificateConfigured)
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
                if (!IsLoopback(uri.Host))
                {
                    problems.Add($"'{raw}' serves plain HTTP on a non-loopback interface: use HTTPS with a certificate");
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
    public static void Validate(IEnumerable<string> urls, bool certificateConfigured)
    {
        var problems = Check(urls, certificateConfigured);
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
