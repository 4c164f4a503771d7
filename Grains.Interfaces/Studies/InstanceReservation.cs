namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Answer of <see cref="IStudyGrain.ReserveInstanceAsync"/>.</summary>
/// <param name="Status">Decision.</param>
/// <param name="Existing">The stored entry for AlreadyStored / Conflict (null when the conflict is with an in-flight store).</param>
[GenerateSerializer, Immutable, Alias("mirc.InstanceReservation")]
public sealed record InstanceReservation(
    [property: Id(0)] ReservationStatus Status,
    [property: Id(1)] InstanceEntry? Existing)
{
    /// <summary>
    /// On <see cref="ReservationStatus.Granted"/>: the regional patient the study already belongs to (null for a new
    /// study), so the pipeline can detect a patient mismatch before promoting the blob and, when the study's patient is
    /// settled, write the query index in parallel with the manifest.
    /// </summary>
    [Id(2)] public string? StudyPatientId { get; init; }
}
