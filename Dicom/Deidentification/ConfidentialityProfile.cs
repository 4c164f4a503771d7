using System.Globalization;

namespace Mirc.Dicom.Deidentification;

/// <summary>
/// PS3.15 Annex E Basic Application Level Confidentiality Profile with the Retain Longitudinal Temporal Information
/// with Modified Dates and Clean Descriptors options: Table E.1-1 read once from the embedded
/// <c>ConfidentialityProfileTable.tsv</c> (generated from the standard by <c>tools/deidentification/generate.py</c>).
/// </summary>
public static class ConfidentialityProfile
{
    private static readonly Lazy<Table> Loaded = new(Load);

    /// <summary>Every row of the table.</summary>
    public static IReadOnlyList<ProfileEntry> Entries => Loaded.Value.Rows;

    /// <summary>The row of <paramref name="tag"/>, or null when the profile leaves the attribute alone.</summary>
    public static ProfileEntry? Find(DicomTag tag)
    {
        var table = Loaded.Value;
        if (table.Exact.TryGetValue(tag.Value, out var entry)) return entry;
        foreach (var repeating in table.Repeating)
        {
            if (repeating.Matches(tag)) return repeating;
        }

        return null;
    }

    /// <summary>The action applied to <paramref name="tag"/> (private tags are decided by the de-identifier's safelist, not here).</summary>
    public static ProfileAction ActionFor(DicomTag tag) => Find(tag)?.Effective ?? ProfileAction.Keep;

    private static Table Load()
    {
        using var stream = typeof(ConfidentialityProfile).Assembly.GetManifestResourceStream("Mirc.Dicom.Deidentification.ConfidentialityProfileTable.tsv")
            ?? throw new InvalidOperationException("The confidentiality profile table is not embedded in Mirc.Dicom.");
        using var reader = new StreamReader(stream);
        var rows = new List<ProfileEntry>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split('\t');
            var hex = f[0];
            var mask = 0u;
            var value = 0u;
            for (var i = 0; i < 8; i++)
            {
                var nibble = hex[i] == 'x' ? -1 : int.Parse(hex.AsSpan(i, 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                mask = mask << 4 | (nibble < 0 ? 0u : 0xFu);
                value = value << 4 | (nibble < 0 ? 0u : (uint)nibble);
            }

            rows.Add(new ProfileEntry(value, mask, f[1], f[2], f.Length > 3 ? f[3] : "", f.Length > 4 ? f[4] : ""));
        }

        return new Table(rows);
    }

    private sealed class Table
    {
        public Table(List<ProfileEntry> rows)
        {
            Rows = rows;
            Exact = rows.Where(r => r.Mask == uint.MaxValue).ToDictionary(r => r.Tag);
            Repeating = rows.Where(r => r.Mask != uint.MaxValue).ToArray();
        }

        public IReadOnlyList<ProfileEntry> Rows { get; }

        public Dictionary<uint, ProfileEntry> Exact { get; }

        public ProfileEntry[] Repeating { get; }
    }
}
