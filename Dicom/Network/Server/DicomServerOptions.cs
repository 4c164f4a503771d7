namespace Mirc.Dicom.Network;

/// <summary>Options of a <see cref="DicomServer"/>.</summary>
public sealed class DicomServerOptions : DicomNetworkOptions
{
    /// <summary>Concurrent associations; beyond it requests are rejected transient "local limit exceeded".</summary>
    public int MaxAssociations { get; set; } = 200;

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
        if (string.IsNullOrWhiteSpace(MoveCallingAe) || MoveCallingAe.Length > 16) throw new ArgumentOutOfRangeException(nameof(MoveCallingAe));
    }
}
