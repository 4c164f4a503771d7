using System.Globalization;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>
/// Checks the syntax of a matching value against its VR (PS3.4 §C.2.2.2): date/time values and ranges must be
/// well-formed and ordered, UIDs digits and dots, so a malformed search is a 400 and never reaches the index.
/// </summary>
public static class MatchingValueSyntax
{
    /// <summary>Longest matching value accepted (guards the index from absurd inputs).</summary>
    public const int MaxLength = 1024;

    /// <summary>Null when <paramref name="value"/> is acceptable for <paramref name="vr"/>; otherwise what is wrong.</summary>
    public static string? Validate(string vr, string value)
    {
        if (value.Length > MaxLength) return $"the value is longer than {MaxLength} characters";
        if (value.Length == 0 || value == "*") return null; // universal matching
        return vr switch
        {
            "DA" => ValidateRange(value, IsDate, "a date YYYYMMDD or a range YYYYMMDD-YYYYMMDD, -YYYYMMDD, YYYYMMDD-"),
            "TM" => ValidateRange(value, IsTime, "a time HHMMSS[.FFFFFF] or a range of times"),
            "DT" => ValidateRange(value, IsDateTime, "a date-time YYYYMMDDHHMMSS[.FFFFFF][&ZZXX] or a range of date-times"),
            "UI" => ValidateUidList(value),
            _ => null,
        };
    }

    private static string? ValidateRange(string value, Func<string, bool> isValid, string expected)
    {
        // A DT may carry a negative UTC offset ("…-0500"): a value that is valid whole is not a range.
        if (isValid(value)) return null;
        var dash = value.IndexOf('-');
        if (dash < 0) return $"'{value}' is not {expected}";
        var start = value[..dash];
        var end = value[(dash + 1)..];
        if (start.Length == 0 && end.Length == 0) return $"'{value}' is an empty range; expected {expected}";
        if (start.Length > 0 && !isValid(start)) return $"range start '{start}' is not valid; expected {expected}";
        if (end.Length > 0 && !isValid(end)) return $"range end '{end}' is not valid; expected {expected}";
        if (start.Length > 0 && end.Length > 0 && string.CompareOrdinal(Pad(start), Pad(end)) > 0)
            return $"range start '{start}' is after range end '{end}'";
        return null;
    }

    // Partial values compare correctly once the shorter is padded to the same resolution.
    private static string Pad(string value) => value.PadRight(26, '0');

    private static bool IsDate(string value) =>
        value.Length == 8 && AllDigits(value)
        && DateTime.TryParseExact(value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsTime(string value)
    {
        var dot = value.IndexOf('.');
        var whole = dot < 0 ? value : value[..dot];
        if (whole.Length is not (2 or 4 or 6) || !AllDigits(whole)) return false;
        if (int.Parse(whole.AsSpan(0, 2), CultureInfo.InvariantCulture) > 23) return false;
        if (whole.Length >= 4 && int.Parse(whole.AsSpan(2, 2), CultureInfo.InvariantCulture) > 59) return false;
        if (whole.Length == 6 && int.Parse(whole.AsSpan(4, 2), CultureInfo.InvariantCulture) > 60) return false;
        if (dot < 0) return true;
        var fraction = value[(dot + 1)..];
        return whole.Length == 6 && fraction.Length is >= 1 and <= 6 && AllDigits(fraction);
    }

    private static bool IsDateTime(string value)
    {
        var zone = value.IndexOfAny(['+', '-']);
        var local = zone < 0 ? value : value[..zone];
        if (zone >= 0)
        {
            var offset = value[(zone + 1)..];
            if (offset.Length != 4 || !AllDigits(offset)) return false;
        }
        var dot = local.IndexOf('.');
        var whole = dot < 0 ? local : local[..dot];
        if (whole.Length is not (4 or 6 or 8 or 10 or 12 or 14) || !AllDigits(whole)) return false;
        if (whole.Length >= 6 && !(int.Parse(whole.AsSpan(4, 2), CultureInfo.InvariantCulture) is >= 1 and <= 12)) return false;
        if (whole.Length >= 8 && !IsDate(whole[..8])) return false;
        if (whole.Length > 8 && !IsTime(whole[8..])) return false;
        if (dot < 0) return true;
        var fraction = local[(dot + 1)..];
        return whole.Length == 14 && fraction.Length is >= 1 and <= 6 && AllDigits(fraction);
    }

    private static string? ValidateUidList(string value)
    {
        foreach (var uid in value.Split('\\'))
        {
            if (uid.Length is 0 or > 64) return $"'{uid}' is not a UID (1 to 64 characters)";
            foreach (var c in uid)
            {
                if (c is not ((>= '0' and <= '9') or '.')) return $"'{uid}' is not a UID (digits and dots only; no wildcards)";
            }
        }
        return null;
    }

    private static bool AllDigits(string value)
    {
        foreach (var c in value)
        {
            if (c is < '0' or > '9') return false;
        }
        return value.Length > 0;
    }
}
