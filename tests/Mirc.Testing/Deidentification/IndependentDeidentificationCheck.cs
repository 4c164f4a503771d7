using System.Globalization;
using System.Text.RegularExpressions;

namespace Mirc.Testing.Deidentification;

/// <summary>
/// Checks de-identified files with tools that are not ours: dcmtk's <c>dcmdump</c> reads every attribute (at any
/// depth) of the original and the exported file, and every attribute of PS3.15 Table E.1-1 (read here from the TSV
/// of the standard's table, not through the de-identifier) that kept its original value is reported; dicom3tools'
/// <c>dciodvfy</c> gives the validation errors, so a test can require no new ones.
/// </summary>
public static partial class IndependentDeidentificationCheck
{
    private static readonly Lazy<Dictionary<string, (string Basic, string ModifiedDates, string CleanDescriptors)>> Table = new(LoadTable);

    /// <summary>One attribute as dcmdump prints it.</summary>
    public sealed record DumpedAttribute(int Depth, string Tag, string Vr, string? Value, string Keyword);

    /// <summary>Every attribute of <paramref name="path"/> (File Meta included), via <c>dcmdump +L</c>.</summary>
    public static async Task<IReadOnlyList<DumpedAttribute>> DumpAsync(string path)
    {
        var (code, stdout, stderr) = await ExternalTool.RunAsync("dcmdump", "+L", "-q", path);
        if (code != 0) throw new InvalidOperationException($"dcmdump could not read {path}: {stderr}");
        var result = new List<DumpedAttribute>();
        foreach (var line in stdout.Split('\n'))
        {
            var m = DumpLine().Match(line);
            if (!m.Success) continue;
            var raw = m.Groups["value"].Value.Trim();
            string? value = raw.StartsWith('[') && raw.IndexOf(']') > 0 ? raw[1..raw.LastIndexOf(']')] : raw.StartsWith("(no value", StringComparison.Ordinal) ? null : raw;
            result.Add(new DumpedAttribute(m.Groups["indent"].Value.Length / 2, (m.Groups["g"].Value + m.Groups["e"].Value).ToUpperInvariant(), m.Groups["vr"].Value, value, m.Groups["keyword"].Value));
        }

        return result;
    }

    /// <summary>
    /// Attributes of the profile's table whose original (non-empty) value survives in <paramref name="exported"/>: the
    /// same tag with the same value anywhere in the file. Descriptors the Clean Descriptors option keeps after cleaning
    /// and times (the Modified Dates option moves days only) are not counted; dates are.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SurvivingIdentifiersAsync(string original, string exported) =>
        SurvivingIdentifiers(await DumpAsync(original), await DumpAsync(exported));

    /// <summary><see cref="SurvivingIdentifiersAsync"/> on dumps already made (<see cref="DumpAsync"/>), for many pairs.</summary>
    public static IReadOnlyList<string> SurvivingIdentifiers(IReadOnlyList<DumpedAttribute> before, IReadOnlyList<DumpedAttribute> after)
    {
        var afterValues = after.Where(a => a.Value is { Length: > 0 }).Select(a => (a.Tag, a.Value)).ToHashSet();
        var leaks = new List<string>();
        foreach (var attribute in before)
        {
            if (attribute.Value is not { Length: > 0 } value || !IsIdentifying(attribute)) continue;
            if (afterValues.Contains((attribute.Tag, value))) leaks.Add($"({attribute.Tag[..4]},{attribute.Tag[4..]}) {attribute.Keyword} = [{value}]");
        }

        return leaks.Distinct().ToArray();
    }

    /// <summary>Whether the profile's table lists the attribute in a way that forbids its original value to stay.</summary>
    public static bool IsIdentifying(DumpedAttribute attribute)
    {
        if (attribute.Vr is "SQ" or "na") return false;
        var row = FindRow(attribute.Tag);
        if (row is null) return false;
        var (basic, modifiedDates, clean) = row.Value;
        if (modifiedDates == "C") return attribute.Vr is "DA" or "DT";
        if (clean == "C") return false;
        return basic.Length > 0;
    }

    /// <summary>dciodvfy's error lines for the file, with values and UIDs blanked so that two files can be compared.</summary>
    public static async Task<IReadOnlySet<string>> ValidationErrorsAsync(string path)
    {
        var (_, stdout, stderr) = await ExternalTool.RunAsync("dciodvfy", path);
        return (stdout + "\n" + stderr).Split('\n')
            .Where(l => l.StartsWith("Error", StringComparison.Ordinal))
            .Select(l => Bracketed().Replace(Numbers().Replace(l.Trim(), "#"), "<>"))
            .ToHashSet();
    }

    private static (string Basic, string ModifiedDates, string CleanDescriptors)? FindRow(string tag)
    {
        if (Table.Value.TryGetValue(tag, out var row)) return row;
        // Repeating groups (50xx, 60xx).
        var repeating = tag[..2] + "xx" + tag[4..];
        return Table.Value.TryGetValue(repeating, out row) ? row : null;
    }

    private static Dictionary<string, (string, string, string)> LoadTable()
    {
        var path = Path.Combine(TestEnvironment.RepositoryRoot, "Dicom", "Deidentification", "ConfidentialityProfileTable.tsv");
        var table = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split('\t');
            table[f[0].ToUpperInvariant().Replace("XX", "xx", StringComparison.Ordinal)] = (f[2], f.Length > 3 ? f[3] : "", f.Length > 4 ? f[4] : "");
        }

        return table;
    }

    [GeneratedRegex(@"^(?<indent>\s*)\((?<g>[0-9a-fA-F]{4}),(?<e>[0-9a-fA-F]{4})\) (?<vr>[A-Za-z?]{2}) (?<value>.*?)\s+#\s*(\d+|u/l),\s*\S+\s+(?<keyword>\S+)\s*$")]
    private static partial Regex DumpLine();

    [GeneratedRegex(@"\[[^\]]*\]|<[^>]*>")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"\b\d+(\.\d+)+\b")]
    private static partial Regex Numbers();
}
