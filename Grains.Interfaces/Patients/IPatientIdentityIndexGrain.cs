using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Patients;

/// <summary>
/// Maps one establishment's local patient id to the regional patient id
/// (key: <see cref="LocalPatientId.IndexKey"/>, i.e. <c>establishment|issuer|pid</c>).
/// </summary>
[Alias("mirc.IPatientIdentityIndexGrain")]
public interface IPatientIdentityIndexGrain : IGrainWithStringKey
{
    /// <summary>The regional id this local id is linked to, or null.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<string?> GetAsync();

    /// <summary>
    /// Returns the linked regional id, linking <paramref name="proposedPatientId"/> atomically when there is none yet.
    /// With <paramref name="beforeCallerFlush"/>, a new link is written without a durability round of its own where the
    /// archive's grain state allows it: the caller flushes the blob store next, which makes it durable.
    /// </summary>
    [Alias("GetOrLink")]
    Task<string> GetOrLinkAsync(string proposedPatientId, bool beforeCallerFlush = false);

    /// <summary>Points the local id at <paramref name="patientId"/> (manual link), or clears it when null (manual unlink).</summary>
    [Alias("Set")]
    Task SetAsync(string? patientId);
}
