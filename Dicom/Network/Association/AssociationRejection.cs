namespace Mirc.Dicom.Network;

/// <summary>A-ASSOCIATE-RJ result field.</summary>
public enum AssociationRejectResult : byte
{
    /// <summary>Rejected-permanent.</summary>
    Permanent = 1,
    /// <summary>Rejected-transient.</summary>
    Transient = 2,
}

/// <summary>A-ASSOCIATE-RJ source field.</summary>
public enum AssociationRejectSource : byte
{
    /// <summary>DICOM UL service-user (reasons: 1 no reason, 2 application context not supported, 3 calling AE not recognized, 7 called AE not recognized).</summary>
    ServiceUser = 1,
    /// <summary>DICOM UL service-provider, ACSE related (reasons: 1 no reason, 2 protocol version not supported).</summary>
    ServiceProviderAcse = 2,
    /// <summary>DICOM UL service-provider, presentation related (reasons: 1 temporary congestion, 2 local limit exceeded).</summary>
    ServiceProviderPresentation = 3,
}

/// <summary>Rejection of an association: result, source and reason as sent in A-ASSOCIATE-RJ (PS3.8 Table 9-21).</summary>
/// <param name="Result">Permanent or transient.</param>
/// <param name="Source">Who rejects.</param>
/// <param name="Reason">Reason code, meaning depends on <paramref name="Source"/>.</param>
public sealed record AssociationRejection(AssociationRejectResult Result, AssociationRejectSource Source, byte Reason)
{
    /// <summary>Calling AE title not recognized (permanent, service-user, 3).</summary>
    public static AssociationRejection CallingAeNotRecognized { get; } = new(AssociationRejectResult.Permanent, AssociationRejectSource.ServiceUser, 3);
    /// <summary>Called AE title not recognized (permanent, service-user, 7).</summary>
    public static AssociationRejection CalledAeNotRecognized { get; } = new(AssociationRejectResult.Permanent, AssociationRejectSource.ServiceUser, 7);
    /// <summary>No reason given (permanent, service-user, 1).</summary>
    public static AssociationRejection NoReason { get; } = new(AssociationRejectResult.Permanent, AssociationRejectSource.ServiceUser, 1);
    /// <summary>Local limit exceeded: too many associations (transient, presentation, 2).</summary>
    public static AssociationRejection LocalLimitExceeded { get; } = new(AssociationRejectResult.Transient, AssociationRejectSource.ServiceProviderPresentation, 2);
    /// <summary>Application context name not supported (permanent, service-user, 2).</summary>
    public static AssociationRejection ApplicationContextNotSupported { get; } = new(AssociationRejectResult.Permanent, AssociationRejectSource.ServiceUser, 2);
    /// <summary>Protocol version not supported (permanent, ACSE provider, 2).</summary>
    public static AssociationRejection ProtocolVersionNotSupported { get; } = new(AssociationRejectResult.Permanent, AssociationRejectSource.ServiceProviderAcse, 2);
}
