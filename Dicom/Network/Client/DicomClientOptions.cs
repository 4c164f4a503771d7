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
}
