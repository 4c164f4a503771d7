namespace Mirc.Grains.Interfaces.Patients;

/// <summary>A study of the patient as listed in the patient record.</summary>
[GenerateSerializer, Immutable, Alias("mirc.StudyReference")]
public sealed record StudyReference
{
    /// <summary>Study Instance UID.</summary>
    [Id(0)] public required string StudyInstanceUid { get; init; }

    /// <summary>Producing establishment.</summary>
    [Id(1)] public required string EstablishmentId { get; init; }

    /// <summary>Study Date (DA text).</summary>
    [Id(2)] public string? StudyDate { get; init; }

    /// <summary>Modalities in the study.</summary>
    [Id(3)] public IReadOnlyList<string> Modalities { get; init; } = [];

    /// <summary>Study Description.</summary>
    [Id(4)] public string? StudyDescription { get; init; }

    /// <summary>Number of instances (as of the last refresh).</summary>
    [Id(5)] public int InstanceCount { get; init; }

    /// <summary>Total bytes (as of the last refresh).</summary>
    [Id(6)] public long Size { get; init; }

    /// <summary>The local id (IPP) the study was received under; null for references recorded before it was kept.</summary>
    [Id(7)] public LocalPatientId? LocalId { get; init; }

    /// <summary>
    /// Equal when every member is, the modalities compared item by item: the generated equality compared the list by
    /// reference, so an unchanged reference (rebuilt from the study's summary) never matched the stored one and the
    /// patient record was rewritten on every idempotent re-send of an instance.
    /// </summary>
    public bool Equals(StudyReference? other) =>
        other is not null
        && StudyInstanceUid == other.StudyInstanceUid
        && EstablishmentId == other.EstablishmentId
        && StudyDate == other.StudyDate
        && Modalities.SequenceEqual(other.Modalities)
        && StudyDescription == other.StudyDescription
        && InstanceCount == other.InstanceCount
        && Size == other.Size
        && Equals(LocalId, other.LocalId);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StudyInstanceUid, EstablishmentId, StudyDate, Modalities.Count, StudyDescription, InstanceCount, Size, LocalId);
}
