namespace Mirc.Grains.Dimse;

/// <summary>
/// The studies an association already has a durable successful Store record for. IHE ATNA's "DICOM Instances
/// Transferred" is one event per study per association: the first acknowledged instance of a study (for its patient)
/// waits for its record, the association's later instances of that study are covered by it; every failure still gets a
/// record of its own. DIMSE operations on one association are sequential, so no lock is needed.
/// </summary>
internal sealed class StoreAuditCoverage
{
    // A sender of many one-instance studies would otherwise grow the set for the whole association: forgetting costs
    // only a further record.
    private const int MaxStudies = 256;
    private readonly HashSet<(string StudyUid, string? PatientId)> _covered = [];

    /// <summary>True when a successful store of <paramref name="studyUid"/> for <paramref name="patientId"/> is on record.</summary>
    public bool Covers(string studyUid, string? patientId) => _covered.Contains((studyUid, patientId));

    /// <summary>Notes that the record of a successful store of <paramref name="studyUid"/> is durable.</summary>
    public void Add(string studyUid, string? patientId)
    {
        if (_covered.Count >= MaxStudies)
        {
            _covered.Clear();
        }

        _covered.Add((studyUid, patientId));
    }
}
