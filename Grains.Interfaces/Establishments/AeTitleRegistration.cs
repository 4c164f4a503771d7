namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>Result of resolving an AE title: its establishment and its entry.</summary>
/// <param name="EstablishmentId">Owning establishment.</param>
/// <param name="Entry">The AE entry (host, port, permissions).</param>
[GenerateSerializer, Immutable, Alias("mirc.AeTitleRegistration")]
public sealed record AeTitleRegistration(
    [property: Id(0)] string EstablishmentId,
    [property: Id(1)] AeTitleEntry Entry);
