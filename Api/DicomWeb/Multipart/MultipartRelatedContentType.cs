using Mirc.Api.DicomWeb.Negotiation;

namespace Mirc.Api.DicomWeb.Multipart;

/// <summary>
/// The parsed <c>Content-Type</c> of a STOW-RS request: <c>multipart/related; type="…"; boundary=…</c>.
/// </summary>
/// <param name="Boundary">The part delimiter (RFC 2046 §5.1.1), without quotes.</param>
/// <param name="RootType">The <c>type</c> parameter: media type of the root part, e.g. <c>application/dicom</c>; null when absent.</param>
public sealed record MultipartRelatedContentType(string Boundary, string? RootType)
{
    /// <summary>
    /// Longest boundary accepted. RFC 2046 §5.1.1 allows 70 characters, but real senders exceed it (Orthanc's STOW-RS
    /// client sends 73): be liberal up to a bound that still keeps the delimiter search cheap.
    /// </summary>
    public const int MaxBoundaryLength = 200;

    /// <summary>
    /// Parses <paramref name="contentType"/>; returns null with a reason when it is not a usable multipart/related type.
    /// </summary>
    public static MultipartRelatedContentType? TryParse(string? contentType, out string? error)
    {
        error = null;
        if (MediaRange.Parse(contentType) is not { } parsed)
        {
            error = "The request has no valid Content-Type.";
            return null;
        }
        if (!parsed.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            error = $"Content-Type '{parsed.MediaType}' is not multipart/related.";
            return null;
        }
        var boundary = parsed.Parameter("boundary");
        if (string.IsNullOrEmpty(boundary))
        {
            error = "The multipart/related Content-Type has no boundary parameter.";
            return null;
        }
        if (boundary.Length > MaxBoundaryLength)
        {
            error = $"The multipart boundary is longer than {MaxBoundaryLength} characters.";
            return null;
        }
        return new MultipartRelatedContentType(boundary, parsed.Parameter("type"));
    }
}
