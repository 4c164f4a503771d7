namespace Mirc.Grains.Interfaces.Security;

/// <summary>Result of <see cref="ILocalAccountGrain.LoginAsync"/>.</summary>
/// <param name="Status">Outcome.</param>
/// <param name="Principal">The authenticated principal when <see cref="LoginStatus.Succeeded"/>.</param>
/// <param name="LockedUntil">End of the lock-out when <see cref="LoginStatus.LockedOut"/>.</param>
[GenerateSerializer, Immutable, Alias("mirc.LoginResult")]
public sealed record LoginResult(
    [property: Id(0)] LoginStatus Status,
    [property: Id(1)] ProfessionalPrincipal? Principal = null,
    [property: Id(2)] DateTimeOffset? LockedUntil = null);
