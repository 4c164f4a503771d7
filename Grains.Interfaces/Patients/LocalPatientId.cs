namespace Mirc.Grains.Interfaces.Patients;

/// <summary>An establishment's own patient identifier (IPP): Patient ID (0010,0020) with its Issuer (0010,0021).</summary>
/// <param name="EstablishmentId">Establishment that assigned the id.</param>
/// <param name="Issuer">Issuer of Patient ID (may be empty).</param>
/// <param name="PatientId">Patient ID.</param>
[GenerateSerializer, Immutable, Alias("mirc.LocalPatientId")]
public sealed record LocalPatientId(
    [property: Id(0)] string EstablishmentId,
    [property: Id(1)] string Issuer,
    [property: Id(2)] string PatientId)
{
    /// <summary>Key of the <see cref="IPatientIdentityIndexGrain"/> for this id: <c>establishment|issuer|pid</c>.</summary>
    public string IndexKey => $"{EstablishmentId}|{Issuer}|{PatientId}";
}
