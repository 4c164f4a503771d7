using System.Globalization;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>
/// Widens partial dates in a DA matching value to the period they name, as clients send them: <c>2024</c> →
/// <c>20240101-20241231</c>, <c>202402</c> → <c>20240201-20240229</c>, and range ends likewise (<c>2023-2024</c>).
/// Anything else is left as it is for <see cref="MatchingValueSyntax"/> to judge.
/// </summary>
public static class PartialDates
{
    /// <summary>The value with every partial date of its alternatives (backslash-separated) widened.</summary>
    public static string Expand(string value)
    {
        if (value.Length == 0 || value == "*") return value;
        var alternatives = value.Split('\\');
        for (var i = 0; i < alternatives.Length; i++) alternatives[i] = ExpandOne(alternatives[i]);
        return string.Join('\\', alternatives);
    }

    private static string ExpandOne(string value)
    {
        var dash = value.IndexOf('-');
        if (dash < 0) return First(value) is { } first && Last(value) is { } last ? $"{first}-{last}" : value;
        var start = value[..dash];
        var end = value[(dash + 1)..];
        var from = start.Length == 0 ? "" : First(start) ?? start;
        var to = end.Length == 0 ? "" : Last(end) ?? end;
        return $"{from}-{to}";
    }

    private static string? First(string partial) => Period(partial) is { } p ? p.Start.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null;

    private static string? Last(string partial) => Period(partial) is { } p ? p.End.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null;

    private static (DateTime Start, DateTime End)? Period(string partial)
    {
        if (partial.Length == 4 && int.TryParse(partial, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1)
            return (new DateTime(year, 1, 1), new DateTime(year, 12, 31));
        if (partial.Length == 6 && int.TryParse(partial.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year) && year >= 1
            && int.TryParse(partial.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12)
        {
            var start = new DateTime(year, month, 1);
            return (start, start.AddMonths(1).AddDays(-1));
        }
        return null;
    }
}
