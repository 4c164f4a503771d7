using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Patients;

/// <summary>Maps an INS to the regional patient id (key: <see cref="NationalIdentity.Key"/>, i.e. <c>oid|value</c>).</summary>
[Alias("mirc.IInsIdentityGrain")]
public interface IInsIdentityGrain : IGrainWithStringKey
{
    /// <summary>The regional id owning this INS, or null.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<string?> GetAsync();

    /// <summary>Returns the owning regional id, claiming the INS for <paramref name="proposedPatientId"/> atomically when unowned.</summary>
    [Alias("GetOrClaim")]
    Task<string> GetOrClaimAsync(string proposedPatientId);

    /// <summary>Reassigns (manual) or releases (null) the INS.</summary>
    [Alias("Set")]
    Task SetAsync(string? patientId);
}
