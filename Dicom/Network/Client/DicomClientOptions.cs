namespace Mirc.Dicom.Network;

/// <summary>Options of a <see cref="DicomClient"/> association.</summary>
public sealed class DicomClientOptions : DicomNetworkOptions
{
    /// <summary>Creates options; a client waits for the application between operations, so idle timeout is off.</summary>
    public DicomClientOptions() => IdleTimeout = Timeout.InfiniteTimeSpan;

    /// <summary>TCP connect timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Source address to connect from (multi-homed hosts, where the peer binds AE titles to addresses); null lets the system choose.</summary>
    public System.Net.IPAddress? LocalAddress { get; set; }

    /// <summary>User identity to send (sub-item 0x58), if any.</summary>
    public UserIdentity? UserIdentity { get; set; }

    /// <summary>
    /// Connect over TLS (PS3.15 Annex B) with these options: client certificate, trusted roots
    /// (<see cref="System.Net.Security.SslClientAuthenticationOptions.CertificateChainPolicy"/>), protocols — see
    /// <see cref="Bcp195"/> for the profile's. <c>TargetHost</c> defaults to the host connected to. Null: plain TCP.
    /// </summary>
    public System.Net.Security.SslClientAuthenticationOptions? Tls { get; set; }
}
