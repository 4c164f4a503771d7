using System.Net;
using System.Net.Sockets;

namespace Mirc.Dicom.Network;

/// <summary>
/// What a <see cref="DicomServer"/> lets in: TCP connections per source address (counted from accept, so idle
/// connections cost only their own address) and open associations, in total and per calling AE title (counted once
/// accepted, so a connection that never associates can never take an association slot from a device).
/// </summary>
internal sealed class AdmissionCounters(DicomServerOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _connections = [];
    private readonly Dictionary<string, int> _associationsPerAe = new(StringComparer.Ordinal);
    private int _associations;

    /// <summary>Open associations.</summary>
    public int Associations
    {
        get { lock (_gate) return _associations; }
    }

    /// <summary>Takes a connection slot for <paramref name="remote"/>; false when the address already holds its cap.</summary>
    public bool TryEnterConnection(IPAddress remote)
    {
        var key = SourceKey(remote);
        lock (_gate)
        {
            var n = _connections.GetValueOrDefault(key);
            if (n >= options.MaxConnectionsPerAddress) return false;
            _connections[key] = n + 1;
            return true;
        }
    }

    /// <summary>Returns the slot taken by <see cref="TryEnterConnection"/>.</summary>
    public void LeaveConnection(IPAddress remote)
    {
        var key = SourceKey(remote);
        lock (_gate)
        {
            var n = _connections.GetValueOrDefault(key) - 1;
            if (n <= 0) _connections.Remove(key);
            else _connections[key] = n;
        }
    }

    /// <summary>Takes an association slot for <paramref name="callingAe"/>; false when the server or that AE title is at its cap.</summary>
    public bool TryEnterAssociation(string callingAe)
    {
        lock (_gate)
        {
            var n = _associationsPerAe.GetValueOrDefault(callingAe);
            if (_associations >= options.MaxAssociations || n >= options.MaxAssociationsPerCallingAe) return false;
            _associationsPerAe[callingAe] = n + 1;
            _associations++;
            return true;
        }
    }

    /// <summary>Returns the slot taken by <see cref="TryEnterAssociation"/>.</summary>
    public void LeaveAssociation(string callingAe)
    {
        lock (_gate)
        {
            var n = _associationsPerAe.GetValueOrDefault(callingAe) - 1;
            if (n <= 0) _associationsPerAe.Remove(callingAe);
            else _associationsPerAe[callingAe] = n;
            _associations--;
        }
    }

    /// <summary>
    /// IPv4 (and IPv4-mapped) addresses count one by one; IPv6 by /64, since one host usually owns a whole /64 and could
    /// otherwise spread a flood over as many addresses as it likes.
    /// </summary>
    private static IPAddress SourceKey(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address)) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
