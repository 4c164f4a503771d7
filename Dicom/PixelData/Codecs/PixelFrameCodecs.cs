namespace Mirc.Dicom.PixelData;

/// <summary>The codecs this archive has, by transfer syntax.</summary>
public static class PixelFrameCodecs
{
    private static readonly Dictionary<string, PixelFrameCodec> ByUid = new PixelFrameCodec[]
    {
        new RleCodec(),
        new JpegCodec(DicomUids.JPEGBaseline8Bit),
        new JpegCodec(DicomUids.JPEGExtended12Bit),
        new JpegCodec(DicomUids.JPEGLossless),
        new JpegCodec(DicomUids.JPEGLosslessSV1),
        new JpegLsCodec(DicomUids.JPEGLSLossless),
        new JpegLsCodec(DicomUids.JPEGLSNearLossless),
        new Jpeg2000Codec(DicomUids.JPEG2000Lossless),
        new Jpeg2000Codec(DicomUids.JPEG2000),
    }.ToDictionary(c => c.TransferSyntaxUid, StringComparer.Ordinal);

    /// <summary>Every transfer syntax with a decoder.</summary>
    public static IEnumerable<string> Decodable => ByUid.Keys;

    /// <summary>Every compressed transfer syntax with an encoder.</summary>
    public static IEnumerable<string> Encodable => ByUid.Values.Where(c => c.CanEncode).Select(c => c.TransferSyntaxUid);

    /// <summary>
    /// Compressed syntaxes with an encoder that keeps every sample: the only ones the archive picks on its own
    /// (a lossy syntax is produced only when a client names it).
    /// </summary>
    public static IEnumerable<string> LosslessEncodable => Encodable.Where(uid => !DicomTransferSyntax.Lookup(uid).IsLossy);

    /// <summary>The codec of a compressed transfer syntax, if any.</summary>
    public static PixelFrameCodec? Find(string transferSyntaxUid) => ByUid.GetValueOrDefault(transferSyntaxUid);
}
