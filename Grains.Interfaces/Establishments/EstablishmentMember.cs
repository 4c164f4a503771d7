namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>A professional working in an establishment, with roles there.</summary>
/// <param name="ProfessionalId">RPPS number.</param>
/// <param name="Roles">Role names (e.g. <c>radiologist</c>, <c>physician</c>, <c>technologist</c>, <c>admin</c>).</param>
[GenerateSerializer, Immutable, Alias("mirc.EstablishmentMember")]
public sealed record EstablishmentMember(
    [property: Id(0)] string ProfessionalId,
    [property: Id(1)] IReadOnlyList<string> Roles);
