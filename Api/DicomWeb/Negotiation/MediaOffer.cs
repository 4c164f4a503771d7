namespace Mirc.Api.DicomWeb.Negotiation;

/// <summary>
/// One representation an endpoint can produce: a media type and, for <c>multipart/related</c>, the type of its parts.
/// </summary>
/// <param name="MediaType">E.g. <c>multipart/related</c> or <c>application/dicom+json</c>.</param>
/// <param name="PartType">For multipart: the media type of each part, e.g. <c>application/dicom</c>.</param>
public sealed record MediaOffer(string MediaType, string? PartType = null);

/// <summary>The outcome of Accept negotiation: the chosen offer and the transfer syntax the client asked for, if any.</summary>
/// <param name="Offer">The representation to produce.</param>
/// <param name="TransferSyntax">The <c>transfer-syntax</c> parameter of the accepted range; null or <c>*</c> means "as stored".</param>
public sealed record NegotiatedMedia(MediaOffer Offer, string? TransferSyntax)
{
    /// <summary>True when the client accepts whatever transfer syntax is stored.</summary>
    public bool AcceptsStoredTransferSyntax(string storedTransferSyntax) =>
        TransferSyntax is null or DicomMediaTypes.AnyTransferSyntax || TransferSyntax == storedTransferSyntax;
}
