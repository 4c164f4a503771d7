namespace Mirc.Api.DicomWeb.Negotiation;

/// <summary>Media types spoken by the DICOMweb endpoints (PS3.18 §8.7).</summary>
public static class DicomMediaTypes
{
    /// <summary>A DICOM Part 10 instance.</summary>
    public const string Dicom = "application/dicom";

    /// <summary>DICOM JSON (PS3.18 Annex F).</summary>
    public const string DicomJson = "application/dicom+json";

    /// <summary>Plain JSON, accepted as a synonym of DICOM JSON.</summary>
    public const string Json = "application/json";

    /// <summary>Native (uncompressed) pixel data and bulk data.</summary>
    public const string OctetStream = "application/octet-stream";

    /// <summary>The multipart envelope of STOW-RS and WADO-RS.</summary>
    public const string MultipartRelated = "multipart/related";

    /// <summary>RFC 9457 problem details.</summary>
    public const string ProblemJson = "application/problem+json";

    /// <summary>The wildcard transfer syntax: "whatever is stored".</summary>
    public const string AnyTransferSyntax = "*";
}
