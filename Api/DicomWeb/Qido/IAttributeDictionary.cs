namespace Mirc.Api.DicomWeb.Qido;

/// <summary>Resolves a QIDO attribute key — a PS3.6 keyword (<c>PatientName</c>) or eight hex digits (<c>00100010</c>).</summary>
public interface IAttributeDictionary
{
    /// <summary>The attribute named by <paramref name="keywordOrTag"/>, or false when the data dictionary does not know it.</summary>
    bool TryResolve(string keywordOrTag, out AttributeDefinition attribute);

    /// <summary>The attribute with <paramref name="tag"/>, or false when the data dictionary does not know it.</summary>
    bool TryGetByTag(uint tag, out AttributeDefinition attribute);
}
