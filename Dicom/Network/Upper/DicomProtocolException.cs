namespace Mirc.Dicom.Network;

/// <summary>
/// The peer broke the DICOM upper-layer or DIMSE protocol (malformed, truncated or oversized PDU, unexpected PDU,
/// timeout). The association carrying it is aborted; other associations are not affected.
/// </summary>
public sealed class DicomProtocolException : Exception
{
    /// <summary>Creates the exception with a message describing the violation.</summary>
    public DicomProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public DicomProtocolException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The association was rejected (A-ASSOCIATE-RJ) or aborted (A-ABORT) by the peer.</summary>
public sealed class DicomAssociationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DicomAssociationException(string message) : base(message) { }

    /// <summary>Rejection details when the peer answered A-ASSOCIATE-RJ, otherwise null.</summary>
    public AssociationRejection? Rejection { get; init; }
}
