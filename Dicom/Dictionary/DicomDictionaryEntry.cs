namespace Mirc.Dicom;

/// <summary>One PS3.6 data dictionary entry.</summary>
/// <param name="Tag">The tag (for repeating groups, the tag that was looked up).</param>
/// <param name="VR">The VR used when decoding Implicit VR (for "US or SS" style entries, the first one).</param>
/// <param name="AlternateVR">The other permitted VR for ambiguous entries (OB/OW, US/SS), else <see cref="DicomVR.None"/>.</param>
/// <param name="VM">Value multiplicity as written in PS3.6 ("1", "1-n", "2-2n" …).</param>
/// <param name="Keyword">The keyword, e.g. "PatientName".</param>
/// <param name="Name">The attribute name, e.g. "Patient's Name".</param>
/// <param name="IsRetired">True when the attribute is retired.</param>
public sealed record DicomDictionaryEntry(DicomTag Tag, DicomVR VR, DicomVR AlternateVR, string VM, string Keyword, string Name, bool IsRetired);
