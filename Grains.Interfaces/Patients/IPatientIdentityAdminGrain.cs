namespace Mirc.Grains.Interfaces.Patients;

/// <summary>
/// Explicit identity operations by an operator, each kept in the history of the patients involved
/// (stateless worker; key: any, use 0).
/// </summary>
[Alias("mirc.IPatientIdentityAdminGrain")]
public interface IPatientIdentityAdminGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Links <paramref name="localId"/> to <paramref name="patientId"/> (moving it away from its current patient if any);
    /// returns the previous regional id, if any.
    /// </summary>
    [Alias("Link")]
    Task<string?> LinkAsync(LocalPatientId localId, string patientId, string actor, string reason);

    /// <summary>
    /// Unlinks <paramref name="localId"/> from its patient. The local id gets a new regional patient of its own
    /// (returned), so later instances under that IPP no longer join the old record.
    /// </summary>
    [Alias("Unlink")]
    Task<string> UnlinkAsync(LocalPatientId localId, string actor, string reason);
}
