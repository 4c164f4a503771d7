namespace Mirc.Grains.Establishments;

/// <summary>AE title normalization and validation (PS3.5: up to 16 characters, no backslash or control characters; spaces are padding).</summary>
public static class AeTitles
{
    /// <summary>The title without padding spaces.</summary>
    public static string Normalize(string aeTitle) => aeTitle.Trim(' ');

    /// <summary>Whether <paramref name="aeTitle"/> is a valid AE title once normalized.</summary>
    public static bool IsValid(string? aeTitle)
    {
        if (aeTitle is null)
        {
            return false;
        }

        var t = Normalize(aeTitle);
        return t.Length is >= 1 and <= 16 && !t.Any(c => c == '\\' || char.IsControl(c) || c > 0x7E);
    }
}
