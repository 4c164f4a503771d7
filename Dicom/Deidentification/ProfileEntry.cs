namespace Mirc.Dicom.Deidentification;

/// <summary>One row of PS3.15 Table E.1-1 as far as the options this archive applies are concerned.</summary>
/// <param name="Tag">The tag; repeating-group digits (<c>50xx</c>, <c>60xx</c>) are zero here and set in <paramref name="Mask"/>.</param>
/// <param name="Mask">Bits of the tag that must match (<c>0xFFFFFFFF</c>, or <c>0xFF00FFFF</c> for a repeating group).</param>
/// <param name="Keyword">Attribute keyword (dcmtk dictionary).</param>
/// <param name="Basic">Basic profile action as written in the table (<c>X</c>, <c>Z</c>, <c>X/Z/D</c>…).</param>
/// <param name="ModifiedDates">Action of the Retain Longitudinal Temporal Information with Modified Dates option, or empty.</param>
/// <param name="CleanDescriptors">Action of the Clean Descriptors option, or empty.</param>
public sealed record ProfileEntry(uint Tag, uint Mask, string Keyword, string Basic, string ModifiedDates, string CleanDescriptors)
{
    /// <summary>Whether <paramref name="tag"/> is this row's attribute.</summary>
    public bool Matches(DicomTag tag) => (tag.Value & Mask) == Tag;

    /// <summary>
    /// The action with both options applied: an option's <c>C</c> wins; otherwise, among the basic profile's choices, the
    /// one that keeps the data set valid (a type 1 attribute needs D, a type 2 needs Z): U, then D, then Z, then X.
    /// </summary>
    public ProfileAction Effective
    {
        get
        {
            if (CleanDescriptors == "C" || ModifiedDates == "C") return ProfileAction.Clean;
            if (ModifiedDates == "K") return ProfileAction.Keep;
            if (Basic.Contains('U', StringComparison.Ordinal)) return ProfileAction.ReplaceUid;
            if (Basic.Contains('D', StringComparison.Ordinal)) return ProfileAction.Dummy;
            if (Basic.Contains('Z', StringComparison.Ordinal)) return ProfileAction.Empty;
            if (Basic.Contains('C', StringComparison.Ordinal)) return ProfileAction.Clean;
            return Basic.Contains('K', StringComparison.Ordinal) ? ProfileAction.Keep : ProfileAction.Remove;
        }
    }
}
