namespace Mirc.Dicom;

/// <summary>
/// A transfer syntax: how a data set is encoded (VR explicit or implicit, byte order, deflate, encapsulated pixel data).
/// Use the well-known instances or <see cref="Lookup"/>; unknown UIDs are treated as encapsulated Explicit VR LE (PS3.5 §10).
/// </summary>
public sealed class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    private DicomTransferSyntax(string uid, string name, bool explicitVR, bool bigEndian, bool deflated, bool encapsulated, bool lossy, bool retired = false)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = explicitVR;
        IsBigEndian = bigEndian;
        IsDeflated = deflated;
        IsEncapsulated = encapsulated;
        IsLossy = lossy;
        IsRetired = retired;
    }

    /// <summary>The transfer syntax UID.</summary>
    public string Uid { get; }
    /// <summary>The PS3.6 name.</summary>
    public string Name { get; }
    /// <summary>True for Explicit VR encodings.</summary>
    public bool IsExplicitVR { get; }
    /// <summary>True for Explicit VR Big Endian.</summary>
    public bool IsBigEndian { get; }
    /// <summary>True when the data set (after File Meta) is raw-deflated.</summary>
    public bool IsDeflated { get; }
    /// <summary>True when Pixel Data is encapsulated (fragments in items).</summary>
    public bool IsEncapsulated { get; }
    /// <summary>True for lossy compression.</summary>
    public bool IsLossy { get; }
    /// <summary>True when the syntax is retired.</summary>
    public bool IsRetired { get; }
    /// <summary>True when this implementation can write the data set (non-encapsulated pixel data or kept fragments).</summary>
    public bool IsNative => !IsEncapsulated;

    /// <summary>Implicit VR Little Endian (1.2.840.10008.1.2), the DICOM default.</summary>
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUids.ImplicitVRLittleEndian, "Implicit VR Little Endian", false, false, false, false, false);
    /// <summary>Explicit VR Little Endian (1.2.840.10008.1.2.1).</summary>
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUids.ExplicitVRLittleEndian, "Explicit VR Little Endian", true, false, false, false, false);
    /// <summary>Encapsulated Uncompressed Explicit VR Little Endian (1.2.840.10008.1.2.1.98).</summary>
    public static readonly DicomTransferSyntax EncapsulatedUncompressedExplicitVRLittleEndian = new(DicomUids.EncapsulatedUncompressedExplicitVRLittleEndian, "Encapsulated Uncompressed Explicit VR Little Endian", true, false, false, true, false);
    /// <summary>Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99).</summary>
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new(DicomUids.DeflatedExplicitVRLittleEndian, "Deflated Explicit VR Little Endian", true, false, true, false, false);
    /// <summary>Explicit VR Big Endian (1.2.840.10008.1.2.2, retired).</summary>
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new(DicomUids.ExplicitVRBigEndian, "Explicit VR Big Endian", true, true, false, false, false, true);
    /// <summary>JPEG Baseline (Process 1).</summary>
    public static readonly DicomTransferSyntax JPEGBaseline8Bit = Encapsulated(DicomUids.JPEGBaseline8Bit, "JPEG Baseline (Process 1)", true);
    /// <summary>JPEG Extended (Process 2 and 4).</summary>
    public static readonly DicomTransferSyntax JPEGExtended12Bit = Encapsulated(DicomUids.JPEGExtended12Bit, "JPEG Extended (Process 2 and 4)", true);
    /// <summary>JPEG Lossless, Non-Hierarchical (Process 14).</summary>
    public static readonly DicomTransferSyntax JPEGLossless = Encapsulated(DicomUids.JPEGLossless, "JPEG Lossless, Non-Hierarchical (Process 14)", false);
    /// <summary>JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1]).</summary>
    public static readonly DicomTransferSyntax JPEGLosslessSV1 = Encapsulated(DicomUids.JPEGLosslessSV1, "JPEG Lossless SV1", false);
    /// <summary>JPEG-LS Lossless.</summary>
    public static readonly DicomTransferSyntax JPEGLSLossless = Encapsulated(DicomUids.JPEGLSLossless, "JPEG-LS Lossless Image Compression", false);
    /// <summary>JPEG-LS Near-Lossless.</summary>
    public static readonly DicomTransferSyntax JPEGLSNearLossless = Encapsulated(DicomUids.JPEGLSNearLossless, "JPEG-LS Lossy (Near-Lossless) Image Compression", true);
    /// <summary>JPEG 2000 (Lossless Only).</summary>
    public static readonly DicomTransferSyntax JPEG2000Lossless = Encapsulated(DicomUids.JPEG2000Lossless, "JPEG 2000 Image Compression (Lossless Only)", false);
    /// <summary>JPEG 2000.</summary>
    public static readonly DicomTransferSyntax JPEG2000 = Encapsulated(DicomUids.JPEG2000, "JPEG 2000 Image Compression", true);
    /// <summary>High-Throughput JPEG 2000 (Lossless Only).</summary>
    public static readonly DicomTransferSyntax HTJ2KLossless = Encapsulated(DicomUids.HTJ2KLossless, "High-Throughput JPEG 2000 Image Compression (Lossless Only)", false);
    /// <summary>High-Throughput JPEG 2000 with RPCL Options (Lossless Only).</summary>
    public static readonly DicomTransferSyntax HTJ2KLosslessRPCL = Encapsulated(DicomUids.HTJ2KLosslessRPCL, "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", false);
    /// <summary>High-Throughput JPEG 2000.</summary>
    public static readonly DicomTransferSyntax HTJ2K = Encapsulated(DicomUids.HTJ2K, "High-Throughput JPEG 2000 Image Compression", true);
    /// <summary>RLE Lossless.</summary>
    public static readonly DicomTransferSyntax RLELossless = Encapsulated(DicomUids.RLELossless, "RLE Lossless", false);
    /// <summary>MPEG2 Main Profile / Main Level.</summary>
    public static readonly DicomTransferSyntax MPEG2MPML = Encapsulated(DicomUids.MPEG2MPML, "MPEG2 Main Profile / Main Level", true);
    /// <summary>MPEG-4 AVC/H.264 High Profile / Level 4.1.</summary>
    public static readonly DicomTransferSyntax MPEG4HP41 = Encapsulated(DicomUids.MPEG4HP41, "MPEG-4 AVC/H.264 High Profile / Level 4.1", true);
    /// <summary>HEVC/H.265 Main Profile / Level 5.1.</summary>
    public static readonly DicomTransferSyntax HEVCMP51 = Encapsulated(DicomUids.HEVCMP51, "HEVC/H.265 Main Profile / Level 5.1", true);

    private static readonly Dictionary<string, DicomTransferSyntax> Known = BuildKnown();

    /// <summary>All transfer syntaxes known by UID (standard table plus any looked-up unknown ones are not cached).</summary>
    public static IReadOnlyCollection<DicomTransferSyntax> All => Known.Values;

    /// <summary>The uncompressed syntaxes this implementation reads and writes.</summary>
    public static IReadOnlyList<DicomTransferSyntax> Uncompressed { get; } =
        [ExplicitVRLittleEndian, ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian];

    /// <summary>Finds a transfer syntax by UID; unknown UIDs yield an encapsulated Explicit VR LE syntax (per PS3.5 for new syntaxes).</summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        if (Known.TryGetValue(uid, out var ts)) return ts;
        return new DicomTransferSyntax(uid, "Unknown (" + uid + ")", true, false, false, true, false);
    }

    /// <summary>Finds a known transfer syntax by UID.</summary>
    public static bool TryLookup(string uid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomTransferSyntax? syntax) =>
        Known.TryGetValue(uid.TrimEnd('\0', ' '), out syntax);

    private static DicomTransferSyntax Encapsulated(string uid, string name, bool lossy) => new(uid, name, true, false, false, true, lossy);

    private static Dictionary<string, DicomTransferSyntax> BuildKnown()
    {
        var d = new Dictionary<string, DicomTransferSyntax>(StringComparer.Ordinal);
        foreach (var ts in new[]
                 {
                     ImplicitVRLittleEndian, ExplicitVRLittleEndian, EncapsulatedUncompressedExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian,
                     ExplicitVRBigEndian, JPEGBaseline8Bit, JPEGExtended12Bit, JPEGLossless, JPEGLosslessSV1, JPEGLSLossless, JPEGLSNearLossless,
                     JPEG2000Lossless, JPEG2000, HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K, RLELossless, MPEG2MPML, MPEG4HP41, HEVCMP51,
                 })
        {
            d[ts.Uid] = ts;
        }
        // Every other transfer syntax of the standard table is an encapsulated Explicit VR LE one.
        foreach (var info in DicomUids.All)
        {
            if (info.Kind != DicomUidKind.TransferSyntax || d.ContainsKey(info.Uid)) continue;
            bool deflate = info.Uid == DicomUids.JPIPReferencedDeflate;
            bool papyrusImplicit = info.Uid == "1.2.840.10008.1.20";
            bool encapsulated = !deflate && !papyrusImplicit && info.Uid != DicomUids.JPIPReferenced;
            d[info.Uid] = new DicomTransferSyntax(info.Uid, info.Name, !papyrusImplicit, false, deflate, encapsulated, encapsulated, info.IsRetired);
        }
        return d;
    }

    /// <inheritdoc/>
    public bool Equals(DicomTransferSyntax? other) => other is not null && other.Uid == Uid;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DicomTransferSyntax);
    /// <inheritdoc/>
    public override int GetHashCode() => Uid.GetHashCode(StringComparison.Ordinal);
    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{Uid}]";
}
