namespace Mirc.Dicom.Deidentification;

/// <summary>What the confidentiality profile does to one attribute (PS3.15 E.1.1 action codes).</summary>
public enum ProfileAction
{
    /// <summary>K: kept as it is (attributes not in the table, or kept by an option).</summary>
    Keep = 0,

    /// <summary>X: removed.</summary>
    Remove = 1,

    /// <summary>Z: replaced by a zero-length value (or a dummy consistent with the VR).</summary>
    Empty = 2,

    /// <summary>D: replaced by a non-zero-length dummy value consistent with the VR.</summary>
    Dummy = 3,

    /// <summary>U: every UID replaced by a new one, consistently within the set of instances.</summary>
    ReplaceUid = 4,

    /// <summary>C: replaced by a value of similar meaning known not to identify (dates shifted, descriptors cleaned).</summary>
    Clean = 5,
}
