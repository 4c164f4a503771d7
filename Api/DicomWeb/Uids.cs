namespace Mirc.Api.DicomWeb;

/// <summary>UID syntax check for path segments (PS3.5 §9: digits and dots, at most 64 characters).</summary>
public static class Uids
{
    /// <summary>True when <paramref name="value"/> is a syntactically valid UID.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || value[0] == '.' || value[^1] == '.') return false;
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or '.')) return false;
        }
        return true;
    }
}
