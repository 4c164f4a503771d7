using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Patients;

/// <summary>Local patient id (<c>establishment|issuer|pid</c>) → regional patient id. Single writer per key, so linking is atomic.</summary>
public sealed class PatientIdentityIndexGrain : Grain, IPatientIdentityIndexGrain
{
    private readonly IPersistentState<IdentityLinkState> _state;

    /// <summary>Creates the grain.</summary>
    public PatientIdentityIndexGrain([PersistentState("identity", StorageProviders.Archive)] IPersistentState<IdentityLinkState> state) =>
        _state = state;

    /// <inheritdoc />
    public Task<string?> GetAsync() => Task.FromResult(_state.State.PatientId);

    /// <inheritdoc />
    public async Task<string> GetOrLinkAsync(string proposedPatientId)
    {
        if (_state.State.PatientId is { } linked)
        {
            return linked;
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
