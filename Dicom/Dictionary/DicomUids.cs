namespace Mirc.Dicom;

/// <summary>
/// Well-known DICOM UIDs as constants named by keyword (e.g. <c>DicomUids.CTImageStorage</c>,
/// <c>DicomUids.Verification</c>, <c>DicomUids.ExplicitVRLittleEndian</c>), plus lookup helpers.
/// </summary>
public static partial class DicomUids
{
    /// <summary>Root under which this implementation creates UIDs.</summary>
    public const string ImplementationRoot = "1.2.826.0.1.3680043.10.1311";

    /// <summary>(0002,0012) Implementation Class UID written in our File Meta and A-ASSOCIATE.</summary>
    public const string ImplementationClassUid = ImplementationRoot + ".1.1";

    /// <summary>(0002,0013) Implementation Version Name.</summary>
    public const string ImplementationVersionName = "MIRC_ORLEANS_1";

    private static Dictionary<string, DicomUidInfo>? byUid;

    /// <summary>All known UIDs.</summary>
    public static IReadOnlyList<DicomUidInfo> All => KnownUids;

    /// <summary>All non-retired storage SOP class UIDs.</summary>
    public static IEnumerable<string> StorageSopClasses => KnownUids.Where(u => u.IsStorage && !u.IsRetired).Select(u => u.Uid);

    /// <summary>Looks a UID up.</summary>
    public static bool TryGetInfo(string uid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomUidInfo? info)
    {
        var map = byUid ??= KnownUids.ToDictionary(u => u.Uid, StringComparer.Ordinal);
        return map.TryGetValue(uid, out info);
    }

    /// <summary>True when the UID is a known storage SOP class.</summary>
    public static bool IsStorageSopClass(string uid) => TryGetInfo(uid, out var i) && i.IsStorage;

    /// <summary>Creates a new random UID under <see cref="ImplementationRoot"/> (112 random bits, at most 64 characters).</summary>
    public static string NewUid()
    {
        Span<byte> b = stackalloc byte[14];
        System.Security.Cryptography.RandomNumberGenerator.Fill(b);
        var n = new System.Numerics.BigInteger(b, isUnsigned: true);
        return ImplementationRoot + ".2." + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
