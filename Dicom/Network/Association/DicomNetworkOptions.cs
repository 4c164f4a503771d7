namespace Mirc.Dicom.Network;

/// <summary>Upper-layer limits and timers shared by the DICOM server and client.</summary>
public class DicomNetworkOptions
{
    /// <summary>Maximum P-DATA-TF PDU length we advertise and accept (bytes of the PDU length field).</summary>
    public uint MaxPduLength { get; set; } = 256 * 1024;

    /// <summary>ARTIM timer: waiting for A-ASSOCIATE-RQ/AC/RJ and for A-RELEASE-RP.</summary>
    public TimeSpan ArtimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No PDU for this long while nothing is in progress: the association is aborted. Infinite disables it.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Peer stalls inside a message or does not answer a request for this long: the association is aborted.</summary>
    public TimeSpan DimseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest buffered (non-streamed) dataset: query identifiers and C-FIND responses.</summary>
    public int MaxBufferedDataSetLength { get; set; } = 16 * 1024 * 1024;

    /// <summary>Throws when a value is out of range (call at start-up).</summary>
    public virtual void Validate()
    {
        if (MaxPduLength is < 4096 or > 16 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPduLength), MaxPduLength, "expected 4 KiB..16 MiB");
        if (ArtimTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ArtimTimeout));
        if (DimseTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DimseTimeout));
        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(IdleTimeout));
        if (MaxBufferedDataSetLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxBufferedDataSetLength));
    }
}
