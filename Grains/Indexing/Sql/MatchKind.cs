namespace Mirc.Grains.Indexing.Sql;

/// <summary>How a query key is matched against a column (DICOM PS3.4 C.2.2.2).</summary>
internal enum MatchKind
{
    /// <summary>Single value or wildcard, case-sensitive.</summary>
    Text,

    /// <summary>Wildcard or single value on the folded name column, case- and accent-insensitive.</summary>
    PersonName,

    /// <summary>Single value or range (DA).</summary>
    Date,

    /// <summary>Single value or range (TM), partial times allowed.</summary>
    Time,

    /// <summary>Single UID or list of UIDs.</summary>
    Uid,

    /// <summary>Integer single value.</summary>
    Integer,

    /// <summary>Study modalities: any series of the study matches one of the listed values.</summary>
    Modalities,

    /// <summary>Return-only attribute.</summary>
    None,
}
