namespace Mirc.Grains.Indexing;

/// <summary>
/// What a caller may see, applied inside the query (so neither rows nor counts leak). A study is visible when
/// everything is visible, or its producing establishment is in <see cref="EstablishmentIds"/>, or its patient's
/// regional id is in <see cref="RegionalPatientIds"/>. Series and instances follow their study; a patient is
/// visible when one of its studies is, and its study count only counts visible studies.
/// </summary>
public sealed class IndexAuthorization
{
    private IndexAuthorization(bool all, IReadOnlySet<string> establishmentIds, IReadOnlySet<string> regionalPatientIds)
    {
        IsAll = all;
        EstablishmentIds = establishmentIds;
        RegionalPatientIds = regionalPatientIds;
    }

    /// <summary>Everything is visible (archive administration, internal retrieval).</summary>
    public static IndexAuthorization All { get; } = new(true, new HashSet<string>(), new HashSet<string>());

    /// <summary>Nothing is visible.</summary>
    public static IndexAuthorization None { get; } = new(false, new HashSet<string>(), new HashSet<string>());

    /// <summary>Only studies produced by these establishments or belonging to these regional patients.</summary>
    public static IndexAuthorization Restricted(IEnumerable<string> establishmentIds, IEnumerable<string> regionalPatientIds) =>
        new(false, new HashSet<string>(establishmentIds, StringComparer.Ordinal), new HashSet<string>(regionalPatientIds, StringComparer.Ordinal));

    /// <summary>No restriction.</summary>
    public bool IsAll { get; }

    /// <summary>Visible producing establishments (when not <see cref="IsAll"/>).</summary>
    public IReadOnlySet<string> EstablishmentIds { get; }

    /// <summary>Visible regional patient ids (when not <see cref="IsAll"/>).</summary>
    public IReadOnlySet<string> RegionalPatientIds { get; }

    /// <summary>True when nothing can match.</summary>
    public bool IsNothing => !IsAll && EstablishmentIds.Count == 0 && RegionalPatientIds.Count == 0;
}
