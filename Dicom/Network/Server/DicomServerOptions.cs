namespace Mirc.Dicom.Network;

/// <summary>Options of a <see cref="DicomServer"/>.</summary>
public sealed class DicomServerOptions : DicomNetworkOptions
{
    /// <summary>
    /// Concurrent accepted associations; beyond it requests are rejected transient "local limit exceeded". Connections
    /// still waiting for their A-ASSOCIATE-RQ do not count (see <see cref="MaxConnectionsPerAddress"/>).
    /// </summary>
    public int MaxAssociations { get; set; } = 200;

    /// <summary>Concurrent associations of one calling AE title, so one device cannot take every slot from the others.</summary>
    public int MaxAssociationsPerCallingAe { get; set; } = 16;

    /// <summary>
    /// Open TCP connections from one source address (IPv6: one /64), associated or not; beyond it a new connection is
    /// closed at once, before anything is read.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 32;

    /// <summary>
    /// How long a new TCP connection may take to deliver its A-ASSOCIATE-RQ (the ARTIM timer of the acceptor): short, so
    /// that idle connections are dropped before they can pile up.
    /// </summary>
    public TimeSpan AssociateRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>On stop, how long running associations may finish before they are aborted.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>AE title we use as calling AE when C-MOVE opens an association to the destination.</summary>
    public string MoveCallingAe { get; set; } = "MIRC";

    /// <summary>C-GET / C-MOVE: instances opened ahead of the one being sent (1..64).</summary>
    public int RetrievePrefetch { get; set; } = 6;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (RetrievePrefetch is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(RetrievePrefetch));
        if (MaxAssociations <= 0) throw new ArgumentOutOfRangeException(nameof(MaxAssociations));
        if (MaxAssociationsPerCallingAe <= 0) throw new ArgumentOutOfRangeException(nameof(MaxAssociationsPerCallingAe));
        if (MaxConnectionsPerAddress <= 0) throw new ArgumentOutOfRangeException(nameof(MaxConnectionsPerAddress));
        if (AssociateRequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AssociateRequestTimeout));
        if (string.IsNullOrWhiteSpace(MoveCallingAe) || MoveCallingAe.Length > 16) throw new ArgumentOutOfRangeException(nameof(MoveCallingAe));
    }
}
