using System.Globalization;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>Parses the <c>{frames}</c> path segment of WADO-RS: comma-separated 1-based frame numbers (PS3.18 §10.4.1.1.4).</summary>
public static class FrameList
{
    /// <summary>Largest number of frames one request may ask for.</summary>
    public const int MaxFrames = 10_000;

    /// <summary>The frame numbers in request order, or null with an error when the list is malformed.</summary>
    public static IReadOnlyList<int>? TryParse(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "The frame list is empty.";
            return null;
        }
        var frames = new List<int>();
        foreach (var token in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var frame) || frame < 1)
            {
                error = $"'{token}' is not a frame number (1-based positive integer).";
                return null;
            }
            frames.Add(frame);
            if (frames.Count > MaxFrames)
            {
                error = $"At most {MaxFrames} frames may be requested at once.";
                return null;
            }
        }
        return frames;
    }
}
