namespace Mirc.Grains.Indexing;

/// <summary>A study as recorded in the index, with its patient and counts.</summary>
public sealed record IndexedStudy
{
    /// <summary>(0020,000D).</summary>
    public required string StudyInstanceUid { get; init; }
    /// <summary>(0010,0020).</summary>
    public required string PatientId { get; init; }
    /// <summary>(0010,0021).</summary>
    public string? IssuerOfPatientId { get; init; }
    /// <summary>Regional patient id.</summary>
    public string? RegionalPatientId { get; init; }
    /// <summary>(0010,0010).</summary>
    public string? PatientName { get; init; }
    /// <summary>(0010,0030).</summary>
    public string? PatientBirthDate { get; init; }
    /// <summary>(0010,0040).</summary>
    public string? PatientSex { get; init; }
    /// <summary>(0008,0020).</summary>
    public string? StudyDate { get; init; }
    /// <summary>(0008,0030).</summary>
    public string? StudyTime { get; init; }
    /// <summary>(0008,0050).</summary>
    public string? AccessionNumber { get; init; }
    /// <summary>(0020,0010).</summary>
    public string? StudyId { get; init; }
    /// <summary>(0008,1030).</summary>
    public string? StudyDescription { get; init; }
    /// <summary>(0008,0090).</summary>
    public string? ReferringPhysicianName { get; init; }
    /// <summary>Producing establishment.</summary>
    public required string ProducingEstablishmentId { get; init; }
    /// <summary>(0008,0061), distinct, sorted.</summary>
    public IReadOnlyList<string> ModalitiesInStudy { get; init; } = [];
    /// <summary>(0020,1206).</summary>
    public int NumberOfSeries { get; init; }
    /// <summary>(0020,1208).</summary>
    public int NumberOfInstances { get; init; }
}
