using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Patients;

/// <summary>Local patient id (<c>establishment|issuer|pid</c>) → regional patient id. Single writer per key, so linking is atomic.</summary>
public sealed class PatientIdentityIndexGrain([PersistentState("identity", StorageProviders.Archive)] IPersistentState<IdentityLinkState> state)
    : IdentityPointerGrain(state), IPatientIdentityIndexGrain
{
    /// <inheritdoc />
    public Task<string> GetOrLinkAsync(string proposedPatientId, bool beforeCallerFlush = false) => GetOrPointAsync(proposedPatientId, beforeCallerFlush);
}
