namespace Mirc.Grains.Interfaces.Patients;

/// <summary>Demographics as last received (DICOM text forms).</summary>
[GenerateSerializer, Immutable, Alias("mirc.PatientDemographics")]
public sealed record PatientDemographics
{
    /// <summary>Patient's Name (0010,0010), PN text.</summary>
    [Id(0)] public string? Name { get; init; }

    /// <summary>Patient's Birth Date (0010,0030), DA text.</summary>
    [Id(1)] public string? BirthDate { get; init; }

    /// <summary>Patient's Sex (0010,0040): M, F, O.</summary>
    [Id(2)] public string? Sex { get; init; }
}
