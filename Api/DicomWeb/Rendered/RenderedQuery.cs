using System.Globalization;
using Microsoft.AspNetCore.Http;
using Mirc.Dicom.Imaging;

namespace Mirc.Api.DicomWeb.Rendered;

/// <summary>The PS3.18 §8.3.5 query parameters of a rendered resource: <c>window</c>, <c>viewport</c>, <c>quality</c>.</summary>
public sealed record RenderedQuery(RenderOptions Options, int Quality)
{
    /// <summary>Default thumbnail edge when the request has no viewport.</summary>
    public const int ThumbnailSize = 128;

    /// <summary>Parses the query; null with the reason when a parameter is malformed.</summary>
    public static RenderedQuery? TryParse(IQueryCollection query, bool thumbnail, out string? error)
    {
        error = null;
        VoiWindow? window = null;
        if (query["window"].ToString() is { Length: > 0 } w)
        {
            var parts = w.Split(',');
            if (parts.Length != 3 || !Number(parts[0], out var center) || !Number(parts[1], out var width) || width <= 0
                || Function(parts[2]) is not { } function)
            {
                error = "window must be center,width,function with width > 0 and function LINEAR, LINEAR_EXACT or SIGMOID.";
                return null;
            }
            window = new VoiWindow(center, width, function);
        }

        int? maxWidth = thumbnail ? ThumbnailSize : null, maxHeight = thumbnail ? ThumbnailSize : null;
        if (query["viewport"].ToString() is { Length: > 0 } v)
        {
            var parts = v.Split(',');
            if (parts.Length is not (2 or 6) || !Size(parts[0], out var vw) || !Size(parts[1], out var vh))
            {
                error = "viewport must be vw,vh (positive integers, at most 8192), optionally followed by sx,sy,sw,sh.";
                return null;
            }
            if (parts.Length == 6)
            {
                error = "viewport source regions (sx,sy,sw,sh) are not supported; give vw,vh only.";
                return null;
            }
            (maxWidth, maxHeight) = (vw, vh);
        }

        int quality = 90;
        if (query["quality"].ToString() is { Length: > 0 } q && (!int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out quality) || quality is < 1 or > 100))
        {
            error = "quality must be an integer from 1 to 100.";
            return null;
        }
        return new RenderedQuery(new RenderOptions { Window = window, MaxWidth = maxWidth, MaxHeight = maxHeight }, quality);
    }

    private static bool Number(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static bool Size(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is > 0 and <= 8192;

    private static WindowFunction? Function(string text) => text.Trim().ToUpperInvariant() switch
    {
        "LINEAR" => WindowFunction.Linear,
        "LINEAR_EXACT" => WindowFunction.LinearExact,
        "SIGMOID" => WindowFunction.Sigmoid,
        _ => null,
    };
}
