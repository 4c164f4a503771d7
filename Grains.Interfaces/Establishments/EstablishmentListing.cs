namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>An establishment as the directory lists it: who it is and how it shares, nothing of its devices or staff.</summary>
/// <param name="EstablishmentId">Establishment id (FINESS number).</param>
/// <param name="Name">Display name.</param>
/// <param name="Sharing">Sharing policy of its studies.</param>
[GenerateSerializer, Immutable, Alias("mirc.EstablishmentListing")]
public sealed record EstablishmentListing(
    [property: Id(0)] string EstablishmentId,
    [property: Id(1)] string Name,
    [property: Id(2)] SharingPolicy Sharing)
{
    /// <summary>The listing of <paramref name="profile"/>.</summary>
    public static EstablishmentListing Of(EstablishmentProfile profile) => new(profile.EstablishmentId, profile.Name, profile.Sharing);
}
