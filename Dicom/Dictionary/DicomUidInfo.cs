namespace Mirc.Dicom;

/// <summary>What kind of object a well-known UID identifies.</summary>
public enum DicomUidKind
{
    /// <summary>Anything else.</summary>
    Other,
    /// <summary>A transfer syntax.</summary>
    TransferSyntax,
    /// <summary>A SOP class (storage, query/retrieve, verification …).</summary>
    SopClass,
    /// <summary>A meta SOP class.</summary>
    MetaSopClass,
    /// <summary>A well-known SOP instance.</summary>
    WellKnownSopInstance,
    /// <summary>An application context name.</summary>
    ApplicationContextName,
    /// <summary>A coding scheme.</summary>
    CodingScheme,
}

/// <summary>A well-known UID from PS3.6 Annex A.</summary>
/// <param name="Uid">The UID string.</param>
/// <param name="Name">Its PS3.6 name.</param>
/// <param name="Keyword">Its keyword (also the name of the <see cref="DicomUids"/> constant).</param>
/// <param name="Kind">What it identifies.</param>
/// <param name="IsStorage">True for storage SOP classes (what a C-STORE SCP accepts).</param>
/// <param name="IsRetired">True when retired.</param>
public sealed record DicomUidInfo(string Uid, string Name, string Keyword, DicomUidKind Kind, bool IsStorage, bool IsRetired);
