namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Answer of <see cref="IStudyGrain.AddInstanceAsync"/>.</summary>
/// <param name="Status">Decision.</param>
/// <param name="Existing">The manifest entry already stored under the SOP Instance UID (for AlreadyStored/Conflict).</param>
/// <param name="StudyReferenceChanged">
/// True when the study-level view changed in a way the patient's study list must reflect
/// (first instance, new series or modality): the caller then updates the patient grain.
/// </param>
/// <param name="Summary">Study summary after the decision.</param>
[GenerateSerializer, Immutable, Alias("mirc.AddInstanceResult")]
public sealed record AddInstanceResult(
    [property: Id(0)] AddInstanceStatus Status,
    [property: Id(1)] InstanceEntry? Existing,
    [property: Id(2)] bool StudyReferenceChanged,
    [property: Id(3)] StudySummary Summary)
{
    /// <summary>
    /// True when the instance's manifest write is still to come (it was answered once its change-feed events were
    /// committed, see <see cref="IStudyGrain.AddInstanceAsync"/>): <see cref="IStudyGrain.WhenManifestWrittenAsync"/> tells
    /// when it is written. Until then only the caller's own durable intent guarantees the instance.
    /// </summary>
    [Id(4)]
    public bool ManifestWritePending { get; init; }
}
