using Microsoft.Extensions.Primitives;

namespace Mirc.Api.DicomWeb.Negotiation;

/// <summary>
/// Picks what to send from the request's Accept header (RFC 9110 §12.5.1, parameters read liberally by <see cref="MediaRange"/>, with the DICOMweb <c>type</c> and
/// <c>transfer-syntax</c> parameters of PS3.18 §8.7.3). No Accept header means "anything".
/// </summary>
public static class AcceptNegotiation
{
    /// <summary>The best offer acceptable to the client, or null when none is (the caller answers 406).</summary>
    public static NegotiatedMedia? Select(StringValues acceptHeaders, IReadOnlyList<MediaOffer> offers)
    {
        if (offers.Count == 0) return null;
        if (StringValues.IsNullOrEmpty(acceptHeaders)) return new NegotiatedMedia(offers[0], null);
        var ranges = MediaRange.ParseList(acceptHeaders);
        if (ranges.Count == 0) return new NegotiatedMedia(offers[0], null);

        NegotiatedMedia? best = null;
        double bestQuality = 0;
        foreach (var range in ranges)
        {
            var quality = range.Quality;
            if (quality <= bestQuality) continue;
            foreach (var offer in offers)
            {
                if (!Matches(range, offer)) continue;
                best = new NegotiatedMedia(offer, range.Parameter("transfer-syntax"));
                bestQuality = quality;
                break;
            }
        }
        return best;
    }

    private static bool Matches(MediaRange range, MediaOffer offer)
    {
        if (!WildcardEquals(range.MediaType, offer.MediaType)) return false;
        if (offer.PartType is null) return true;
        var requestedPart = range.Parameter("type");
        return requestedPart is null || WildcardEquals(requestedPart, offer.PartType);
    }

    private static bool WildcardEquals(string? pattern, string value)
    {
        if (string.IsNullOrEmpty(pattern) || pattern == "*" || pattern == "*/*") return true;
        if (pattern.EndsWith("/*", StringComparison.Ordinal))
            return value.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.OrdinalIgnoreCase);
        return string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);
    }
}
