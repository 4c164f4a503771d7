using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Grains.Patients;

/// <summary>Persistent state of a regional patient.</summary>
[GenerateSerializer, Alias("mirc.PatientState")]
public sealed class PatientState
{
    /// <summary>INS when known.</summary>
    [Id(0)] public NationalIdentity? Ins { get; set; }

    /// <summary>Linked local ids.</summary>
    [Id(1)] public List<LocalPatientId> LocalIds { get; set; } = [];

    /// <summary>Demographics as last received.</summary>
    [Id(2)] public PatientDemographics Demographics { get; set; } = new();

    /// <summary>Study references.</summary>
    [Id(3)] public List<StudyReference> Studies { get; set; } = [];

    /// <summary>Identity history, oldest first.</summary>
    [Id(4)] public List<IdentityLinkEvent> History { get; set; } = [];
}
