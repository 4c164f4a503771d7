namespace Mirc.Api.DicomWeb.Negotiation;

/// <summary>
/// The media type that carries the frames of a given transfer syntax in WADO-RS (PS3.18 Table 8.7.3-2):
/// native syntaxes travel as <c>application/octet-stream</c>, encapsulated ones as their compressed format.
/// </summary>
public static class TransferSyntaxMediaTypes
{
    /// <summary>The frame media type for <paramref name="transferSyntaxUid"/>; octet-stream for native or unknown syntaxes.</summary>
    public static string ForFrames(string transferSyntaxUid) => transferSyntaxUid switch
    {
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => "image/jpeg",
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => "image/jls",
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => "image/jp2",
        "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93" => "image/jpx",
        "1.2.840.10008.1.2.4.201" or "1.2.840.10008.1.2.4.202" or "1.2.840.10008.1.2.4.203" => "image/jphc",
        "1.2.840.10008.1.2.5" => "image/dicom-rle",
        "1.2.840.10008.1.2.4.100" or "1.2.840.10008.1.2.4.101" or "1.2.840.10008.1.2.4.100.1" or "1.2.840.10008.1.2.4.101.1" => "video/mpeg",
        "1.2.840.10008.1.2.4.102" or "1.2.840.10008.1.2.4.103" or "1.2.840.10008.1.2.4.104" or "1.2.840.10008.1.2.4.105"
            or "1.2.840.10008.1.2.4.106" or "1.2.840.10008.1.2.4.102.1" or "1.2.840.10008.1.2.4.103.1" or "1.2.840.10008.1.2.4.104.1"
            or "1.2.840.10008.1.2.4.105.1" or "1.2.840.10008.1.2.4.106.1" => "video/mp4",
        "1.2.840.10008.1.2.4.107" or "1.2.840.10008.1.2.4.108" => "video/H265",
        _ => DicomMediaTypes.OctetStream,
    };

    /// <summary>
    /// The transfer syntax a frame media type means when the Accept range has no <c>transfer-syntax</c> parameter
    /// (PS3.18 Table 8.7.3-5); null for types without one.
    /// </summary>
    public static string? DefaultForFrames(string mediaType) => mediaType switch
    {
        DicomMediaTypes.OctetStream => "1.2.840.10008.1.2.1",
        "image/jpeg" => "1.2.840.10008.1.2.4.70",
        "image/jls" => "1.2.840.10008.1.2.4.80",
        "image/jp2" => "1.2.840.10008.1.2.4.90",
        "image/jpx" => "1.2.840.10008.1.2.4.92",
        "image/dicom-rle" => "1.2.840.10008.1.2.5",
        _ => null,
    };

    /// <summary>True when the syntax stores pixel data uncompressed (frames are plain byte ranges).</summary>
    public static bool IsNative(string transferSyntaxUid) =>
        transferSyntaxUid is "1.2.840.10008.1.2" or "1.2.840.10008.1.2.1" or "1.2.840.10008.1.2.2";
}
