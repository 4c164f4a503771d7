using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Patients;

/// <summary>INS (<c>oid|value</c>) → regional patient id: links records of different establishments to one patient.</summary>
public sealed class InsIdentityGrain : Grain, IInsIdentityGrain
{
    private readonly IPersistentState<IdentityLinkState> _state;

    /// <summary>Creates the grain.</summary>
    public InsIdentityGrain([PersistentState("ins", StorageProviders.Archive)] IPersistentState<IdentityLinkState> state) =>
        _state = state;

    /// <inheritdoc />
    public Task<string?> GetAsync() => Task.FromResult(_state.State.PatientId);

    /// <inheritdoc />
    public async Task<string> GetOrClaimAsync(string proposedPatientId)
    {
        if (_state.State.PatientId is { } owner)
        {
            return owner;
        }

        _state.State.PatientId = proposedPatientId;
        await _state.WriteStateAsync();
        return proposedPatientId;
    }

    /// <inheritdoc />
    public async Task SetAsync(string? patientId)
    {
        _state.State.PatientId = patientId;
        await _state.WriteStateAsync();
    }
}
