using System.Globalization;
using System.Text;
using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// Where a bulk data value sits in an instance, as written in BulkDataURIs:
/// <c>{tag}</c> at top level, or <c>{sequence tag}/{item index}/…/{tag}</c> inside sequences (tags as 8 hex digits,
/// item indexes 0-based), e.g. <c>00540016/0/00181072</c>.
/// </summary>
public sealed class BulkDataPath
{
    /// <summary>Deepest nesting accepted.</summary>
    public const int MaxDepth = 8;

    private readonly (DicomTag Sequence, int Item)[] _parents;

    private BulkDataPath((DicomTag, int)[] parents, DicomTag tag)
    {
        _parents = parents;
        Tag = tag;
    }

    /// <summary>The attribute whose value is bulk data.</summary>
    public DicomTag Tag { get; }

    /// <summary>True for top-level Pixel Data, served from the frame layout recorded at ingest.</summary>
    public bool IsPixelData => _parents.Length == 0 && Tag.Value == 0x7FE00010;

    /// <summary>Formats a path: parents as (sequence, item) pairs, then the tag.</summary>
    public static string Format(IEnumerable<(DicomTag Sequence, int Item)> parents, DicomTag tag)
    {
        var text = new StringBuilder();
        foreach (var (sequence, item) in parents)
            text.Append(sequence.ToHexString()).Append('/').Append(item.ToString(CultureInfo.InvariantCulture)).Append('/');
        return text.Append(tag.ToHexString()).ToString();
    }

    /// <summary>Parses a path, or null when malformed.</summary>
    public static BulkDataPath? TryParse(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var segments = path.Split('/');
        if (segments.Length % 2 == 0 || segments.Length > 2 * MaxDepth + 1) return null;
        var parents = new (DicomTag, int)[segments.Length / 2];
        for (var i = 0; i < parents.Length; i++)
        {
            if (!TryParseTag(segments[2 * i], out var sequence)
                || !int.TryParse(segments[2 * i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var item))
                return null;
            parents[i] = (sequence, item);
        }
        return TryParseTag(segments[^1], out var tag) ? new BulkDataPath(parents, tag) : null;
    }

    /// <summary>The element the path names in <paramref name="dataset"/>, or null when absent.</summary>
    public DicomElement? Find(DicomDataset dataset)
    {
        var current = dataset;
        foreach (var (sequenceTag, item) in _parents)
        {
            if (current[sequenceTag] is not DicomSequence sequence || item >= sequence.Items.Count) return null;
            current = sequence.Items[item];
        }
        return current[Tag];
    }

    private static bool TryParseTag(string text, out DicomTag tag)
    {
        tag = default;
        if (text.Length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)) return false;
        tag = new DicomTag(value);
        return true;
    }
}
