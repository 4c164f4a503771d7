namespace Mirc.Api.DicomWeb.Qido;

/// <summary>A DICOM attribute as the query layer needs it: tag, keyword and value representation.</summary>
/// <param name="Tag">Group in the high 16 bits, element in the low 16 bits (e.g. 0x00100010).</param>
/// <param name="Keyword">PS3.6 keyword, e.g. <c>PatientName</c>.</param>
/// <param name="Vr">Two-letter VR, e.g. <c>PN</c>.</param>
public readonly record struct AttributeDefinition(uint Tag, string Keyword, string Vr)
{
    /// <summary>The tag as eight upper-case hex digits, the DICOM JSON key.</summary>
    public string TagHex => Tag.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
}
