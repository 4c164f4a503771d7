using System.Net;
using System.Net.Sockets;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Dimse;

/// <summary>
/// A device is an AE title at an address: whether a peer address may speak for an AE title entry (its networks when
/// set, otherwise its host's address), and the check of the networks an administrator registers.
/// </summary>
public static class DeviceAddress
{
    /// <summary>Null when <paramref name="peer"/> may use <paramref name="entry"/>'s AE title, otherwise why not (logged and audited).</summary>
    public static async Task<string?> MismatchAsync(AeTitleEntry entry, IPAddress peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.IsIPv4MappedToIPv6) peer = peer.MapToIPv4();
        if (entry.Networks is { Count: > 0 } networks)
        {
            foreach (var text in networks)
            {
                if (TryParseNetwork(text, out var network) && network.Contains(peer)) return null;
            }

            return $"peer address {peer} is outside the networks registered for AE title {entry.AeTitle} ({string.Join(", ", networks)})";
        }

        if (string.IsNullOrWhiteSpace(entry.Host)) return $"AE title {entry.AeTitle} has no registered host";
        IPAddress[] addresses;
        if (IPAddress.TryParse(entry.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(entry.Host, ct);
            }
            catch (SocketException ex)
            {
                return $"registered host {entry.Host} of AE title {entry.AeTitle} does not resolve ({ex.SocketErrorCode})";
            }
        }

        return addresses.Any(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(peer))
            ? null
            : $"peer address {peer} is not the registered host {entry.Host} of AE title {entry.AeTitle}";
    }

    /// <summary>Parses a CIDR network or a single address (as a /32 or /128).</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text.Contains('/', StringComparison.Ordinal)) return IPNetwork.TryParse(text, out network);
        if (!IPAddress.TryParse(text, out var address)) return false;
        network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }
}
