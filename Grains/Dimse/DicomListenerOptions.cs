using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Dimse;

/// <summary>The silo's DICOM listener (section <c>Mirc:Dicom</c>).</summary>
public sealed class DicomListenerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Dicom";

    /// <summary>False disables the listener.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address to bind (loopback in the embedded default).</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port (0 picks a free one).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 11112;

    /// <summary>Our AE title; associations addressed to another called AE are rejected unless <see cref="AcceptAnyCalledAe"/>.</summary>
    [Required, StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "MIRC";

    /// <summary>Accept whatever called AE title the peer uses.</summary>
    public bool AcceptAnyCalledAe { get; set; }

    /// <summary>Maximum concurrent associations (connections still waiting for their A-ASSOCIATE-RQ do not count).</summary>
    [Range(1, 10_000)]
    public int MaxAssociations { get; set; } = 64;

    /// <summary>Concurrent associations of one calling AE title: one device holding its cap does not lock out the others.</summary>
    [Range(1, 10_000)]
    public int MaxAssociationsPerCallingAe { get; set; } = 16;

    /// <summary>Open TCP connections from one source address (IPv6: one /64); beyond it new connections are closed at once.</summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerAddress { get; set; } = 32;

    /// <summary>Time a new connection has to send its A-ASSOCIATE-RQ before it is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan AssociateRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An association with nothing in progress for this long is aborted, freeing its slot.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
