using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>
/// Turns QIDO-RS query parameters (PS3.18 §8.3.4) into a <see cref="QidoQuery"/>: attribute keys by keyword or tag,
/// <c>includefield</c> (repeated or comma-separated, or <c>all</c>), <c>limit</c>, <c>offset</c>, <c>fuzzymatching</c>.
/// Every problem is reported per parameter so the client gets one 400 listing all of them. Liberal where clients
/// differ: unknown keys are ignored with a warning, comma-separated values are alternatives for VRs whose values hold
/// no commas (<c>ModalitiesInStudy=CT,MR</c>), and partial dates (<c>2024</c>, <c>202401</c>) match their whole period.
/// </summary>
public sealed class QidoQueryParser(IAttributeDictionary dictionary)
{
    private const uint StudyInstanceUidTag = 0x0020000D;
    private const uint SeriesInstanceUidTag = 0x0020000E;

    /// <summary>Parses the request; on failure returns null and fills <paramref name="errors"/> (parameter → messages).</summary>
    /// <param name="level">The level the route searches.</param>
    /// <param name="studyInstanceUid">The study UID from the path, if any.</param>
    /// <param name="seriesInstanceUid">The series UID from the path, if any.</param>
    /// <param name="parameters">The query string.</param>
    /// <param name="maxLimit">The largest page the server returns; also the default limit.</param>
    /// <param name="errors">Problems found, keyed by parameter name.</param>
    public QidoQuery? TryParse(
        QidoLevel level,
        string? studyInstanceUid,
        string? seriesInstanceUid,
        IEnumerable<KeyValuePair<string, StringValues>> parameters,
        int maxLimit,
        out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var matches = new List<QidoMatch>();
        var warnings = new List<string>();
        var includes = new List<AttributeDefinition>();
        var includeAll = false;
        var limit = maxLimit;
        var offset = 0;
        var fuzzy = false;

        AddPathMatch(studyInstanceUid, StudyInstanceUidTag, "study", matches, errors);
        AddPathMatch(seriesInstanceUid, SeriesInstanceUidTag, "series", matches, errors);

        foreach (var (key, values) in parameters)
        {
            switch (key.ToLowerInvariant())
            {
                case "includefield":
                    includeAll |= ParseIncludeFields(values, includes, errors);
                    break;
                case "limit":
                    if (TryParseCount(key, values, errors, out var requested)) limit = Math.Min(requested, maxLimit);
                    break;
                case "offset":
                    if (TryParseCount(key, values, errors, out var skip)) offset = skip;
                    break;
                case "fuzzymatching":
                    if (bool.TryParse(values.ToString(), out var isFuzzy)) fuzzy = isFuzzy;
                    else Add(errors, key, $"'{values}' is not true or false.");
                    break;
                default:
                    ParseMatch(key, values, matches, errors, warnings);
                    break;
            }
        }

        if (errors.Count > 0) return null;
        return new QidoQuery(level, matches, includes, includeAll, limit, offset, fuzzy) { Warnings = warnings };
    }

    private void AddPathMatch(string? uid, uint tag, string name, List<QidoMatch> matches, Dictionary<string, string[]> errors)
    {
        if (uid is null) return;
        if (!dictionary.TryResolve(tag.ToString("X8", CultureInfo.InvariantCulture), out var attribute))
            attribute = new AttributeDefinition(tag, tag == StudyInstanceUidTag ? "StudyInstanceUID" : "SeriesInstanceUID", "UI");
        var problem = uid.Contains('\\') ? "a single UID is expected" : MatchingValueSyntax.Validate("UI", uid);
        if (problem is not null)
        {
            Add(errors, name, $"The {name} UID in the path is not valid: {problem}.");
            return;
        }
        matches.Add(new QidoMatch(attribute, uid));
    }

    private bool ParseIncludeFields(StringValues values, List<AttributeDefinition> includes, Dictionary<string, string[]> errors)
    {
        var all = false;
        foreach (var value in values)
        {
            if (value is null) continue;
            foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (raw.Equals("all", StringComparison.OrdinalIgnoreCase)) { all = true; continue; }
                if (dictionary.TryResolve(raw, out var attribute)) includes.Add(attribute);
                else Add(errors, "includefield", $"'{raw}' is not a known DICOM attribute keyword or tag.");
            }
        }
        return all;
    }

    private void ParseMatch(string key, StringValues values, List<QidoMatch> matches, Dictionary<string, string[]> errors, List<string> warnings)
    {
        // Unknown keys (vendor parameters such as _dc cache busters, misspelt keywords) are ignored, not refused.
        if (key.Contains('.'))
        {
            warnings.Add($"Matching on sequence attributes is not supported; '{key}' was ignored.");
            return;
        }
        if (!dictionary.TryResolve(key, out var attribute))
        {
            warnings.Add($"'{key}' is not a DICOM attribute keyword or tag, nor a QIDO-RS parameter; it was ignored.");
            return;
        }
        if (attribute.Vr == "SQ")
        {
            warnings.Add($"Matching on sequence attributes is not supported; '{key}' was ignored.");
            return;
        }
        // Repeated keys are a list of alternatives, the same as a backslash-separated value (PS3.18 §8.3.4.1); so are
        // comma-separated values where a comma cannot be part of a value.
        var value = values.Count == 1 ? values[0] ?? "" : string.Join('\\', values.Where(v => !string.IsNullOrEmpty(v)));
        if (attribute.Vr is "CS" or "UI" or "DA" or "TM" or "DT" or "AS" or "IS" or "DS" or "AE") value = value.Replace(',', '\\');
        if (attribute.Vr == "DA") value = PartialDates.Expand(value);
        if (MatchingValueSyntax.Validate(attribute.Vr, value) is { } problem)
        {
            Add(errors, key, $"Invalid value for {attribute.Keyword} ({attribute.Vr}): {problem}.");
            return;
        }
        matches.Add(new QidoMatch(attribute, value));
    }

    private static bool TryParseCount(string key, StringValues values, Dictionary<string, string[]> errors, out int count)
    {
        if (int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out count)) return true;
        Add(errors, key, $"'{values}' is not a non-negative integer.");
        return false;
    }

    private static void Add(Dictionary<string, string[]> errors, string key, string message) =>
        errors[key] = errors.TryGetValue(key, out var existing) ? [.. existing, message] : [message];
}
