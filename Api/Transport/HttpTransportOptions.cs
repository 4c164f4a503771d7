using System.Net;

namespace Mirc.Api.Transport;

/// <summary>How HTTP reaches the archive (section <c>Mirc:Http</c>): directly over HTTPS, or through a TLS-terminating proxy.</summary>
public sealed class HttpTransportOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Http";

    /// <summary>
    /// The archive sits behind a TLS-terminating proxy (Kubernetes ingress, Container Apps ingress): plain HTTP may then
    /// listen on a non-loopback address. Requires <see cref="TrustedProxies"/>: X-Forwarded-For/-Proto are believed
    /// only from them, and a plain-HTTP request from anywhere else (but loopback) is refused, health probes aside.
    /// </summary>
    public bool BehindTlsProxy { get; set; }

    /// <summary>Addresses (10.0.0.5) or CIDR networks (10.40.0.0/23) of the TLS-terminating proxies.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Strict-Transport-Security max-age sent on HTTPS responses.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Parses <see cref="TrustedProxies"/>; entries that parse neither way are returned in <paramref name="invalid"/>.</summary>
    public (List<IPAddress> Proxies, List<IPNetwork> Networks) ParseTrustedProxies(out List<string> invalid)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        invalid = [];
        foreach (var raw in TrustedProxies)
        {
            var text = raw.Trim();
            if (text.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(text, out var network)) networks.Add(network);
            else if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address)) proxies.Add(address);
            else invalid.Add(raw);
        }

        return (proxies, networks);
    }
}
