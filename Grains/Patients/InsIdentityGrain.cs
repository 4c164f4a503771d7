using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Patients;

/// <summary>INS (<c>oid|value</c>) → regional patient id: links records of different establishments to one patient.</summary>
public sealed class InsIdentityGrain([PersistentState("ins", StorageProviders.Archive)] IPersistentState<IdentityLinkState> state)
    : IdentityPointerGrain(state), IInsIdentityGrain
{
    /// <inheritdoc />
    public Task<string> GetOrClaimAsync(string proposedPatientId) => GetOrPointAsync(proposedPatientId);
}
