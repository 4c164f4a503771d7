using System.Globalization;
using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary><see cref="IAttributeDictionary"/> over the generated PS3.6 dictionary of <c>Mirc.Dicom</c>.</summary>
public sealed class DicomDictionaryAttributes : IAttributeDictionary
{
    /// <inheritdoc />
    public bool TryGetByTag(uint tag, out AttributeDefinition attribute)
    {
        attribute = default;
        if (!DicomDictionary.TryGetByTag(new DicomTag(tag), out var entry)) return false;
        attribute = new AttributeDefinition(tag, entry.Keyword, entry.VR.ToString());
        return true;
    }

    /// <inheritdoc />
    public bool TryResolve(string keywordOrTag, out AttributeDefinition attribute)
    {
        attribute = default;
        if (keywordOrTag.Length == 8 && uint.TryParse(keywordOrTag, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return TryGetByTag(value, out attribute);
        }
        if (!DicomDictionary.TryGetByKeyword(keywordOrTag, out var entry)) return false;
        attribute = new AttributeDefinition(entry.Tag.Value, entry.Keyword, entry.VR.ToString());
        return true;
    }
}
