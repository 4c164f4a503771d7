namespace Mirc.Grains.Indexing;

/// <summary>
/// A C-FIND / QIDO-RS query against the index.
/// <para>
/// <see cref="Matches"/> maps a tag from <see cref="IndexTags"/> to a DICOM matching key: empty = universal matching;
/// <c>*</c> and <c>?</c> wildcards (person names case- and accent-insensitive); date/time ranges <c>A-B</c>, <c>-B</c>,
/// <c>A-</c> on StudyDate/StudyTime/PatientBirthDate; UID lists <c>uid1\uid2</c> on UIDs; otherwise single value
/// (exact). Keys of a level below <see cref="Level"/> are rejected (<see cref="ArgumentException"/>); unknown tags too.
/// </para>
/// </summary>
/// <param name="Level">Rows returned.</param>
/// <param name="Authorization">Visibility filter; required so a query can never forget it.</param>
public sealed record IndexQuery(QueryLevel Level, IndexAuthorization Authorization)
{
    /// <summary>Upper bound of <see cref="Limit"/>.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Matching keys by tag.</summary>
    public IReadOnlyDictionary<uint, string> Matches { get; init; } = new Dictionary<uint, string>();

    /// <summary>Maximum rows returned (1–<see cref="MaxLimit"/>).</summary>
    public int Limit { get; init; } = 1_000;

    /// <summary>Rows skipped (paging).</summary>
    public int Offset { get; init; }
}
