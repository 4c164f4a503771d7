using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Mirc.Api.DicomWeb.Negotiation;

/// <summary>
/// A media type with its parameters, read the way DICOMweb peers write them rather than strictly per RFC 9110:
/// parameter values may be quoted strings or bare values holding <c>/</c> and <c>+</c> (Odil sends
/// <c>type=application/dicom</c> unquoted), and no length limit is imposed here (Orthanc's boundaries are 73 characters).
/// </summary>
/// <param name="MediaType">Type and subtype, lower-cased, e.g. <c>multipart/related</c>.</param>
/// <param name="Parameters">Parameters in order; names lower-cased, values unquoted.</param>
public sealed record MediaRange(string MediaType, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>The first value of parameter <paramref name="name"/>, or null.</summary>
    public string? Parameter(string name)
    {
        foreach (var (key, value) in Parameters)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase)) return value;
        }
        return null;
    }

    /// <summary>The <c>q</c> parameter (1 when absent or unreadable).</summary>
    public double Quality =>
        Parameter("q") is { } q && double.TryParse(q, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, 0, 1) : 1.0;

    /// <summary>Parses one media type; null when there is no <c>type/subtype</c>.</summary>
    public static MediaRange? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var pieces = Split(text, ';');
        var mediaType = pieces[0].Trim();
        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == mediaType.Length - 1 || mediaType.AsSpan().ContainsAny(" \t\",")) return null;
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var piece in pieces.Skip(1))
        {
            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var name = piece[..equals].Trim().ToLowerInvariant();
            var value = Unquote(piece[(equals + 1)..].Trim());
            if (name.Length > 0) parameters.Add(new(name, value));
        }
        return new MediaRange(mediaType.ToLowerInvariant(), parameters);
    }

    /// <summary>Parses every comma-separated range of one or more Accept headers, skipping unreadable ones.</summary>
    public static List<MediaRange> ParseList(StringValues headers)
    {
        var ranges = new List<MediaRange>();
        foreach (var header in headers)
        {
            if (header is null) continue;
            foreach (var item in Split(header, ','))
            {
                if (Parse(item) is { } range) ranges.Add(range);
            }
        }
        return ranges;
    }

    // Splits on a separator outside quoted strings (a quoted boundary or type may hold ';' or ',').
    private static List<string> Split(string text, char separator)
    {
        var pieces = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\') i++;
            else if (c == '"') quoted = !quoted;
            else if (!quoted && c == separator)
            {
                pieces.Add(text[start..i]);
                start = i + 1;
            }
        }
        pieces.Add(text[start..]);
        return pieces;
    }

    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        var inner = value.AsSpan(1, value.Length - 2);
        if (!inner.Contains('\\')) return inner.ToString();
        var text = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            text.Append(inner[i]);
        }
        return text.ToString();
    }
}
