namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Answer of <see cref="IStudyGrain.ReserveInstanceAsync"/>.</summary>
/// <param name="Status">Decision.</param>
/// <param name="Existing">The stored entry for AlreadyStored / Conflict (null when the conflict is with an in-flight store).</param>
[GenerateSerializer, Immutable, Alias("mirc.InstanceReservation")]
public sealed record InstanceReservation(
    [property: Id(0)] ReservationStatus Status,
    [property: Id(1)] InstanceEntry? Existing);
