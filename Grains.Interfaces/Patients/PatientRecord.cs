namespace Mirc.Grains.Interfaces.Patients;

/// <summary>The regional patient record.</summary>
[GenerateSerializer, Immutable, Alias("mirc.PatientRecord")]
public sealed record PatientRecord
{
    /// <summary>Regional patient id (grain key).</summary>
    [Id(0)] public required string PatientId { get; init; }

    /// <summary>INS when known.</summary>
    [Id(1)] public NationalIdentity? Ins { get; init; }

    /// <summary>Local ids (IPP) of every establishment linked to this patient.</summary>
    [Id(2)] public IReadOnlyList<LocalPatientId> LocalIds { get; init; } = [];

    /// <summary>Demographics as last received.</summary>
    [Id(3)] public PatientDemographics Demographics { get; init; } = new();

    /// <summary>Studies of the patient.</summary>
    [Id(4)] public IReadOnlyList<StudyReference> Studies { get; init; } = [];

    /// <summary>Identity link history, oldest first.</summary>
    [Id(5)] public IReadOnlyList<IdentityLinkEvent> History { get; init; } = [];

    // Consent state is owned by the security engineer's consent grain (Grains/Consent), keyed by PatientId.
}
