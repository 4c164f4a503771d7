namespace Mirc.Grains.Patients;

/// <summary>
/// An identity key (INS, or an establishment's local patient id) pointing at one regional patient. One grain per key is
/// the single writer, so the first claim wins atomically and later ones get the existing patient.
/// </summary>
public abstract class IdentityPointerGrain(IPersistentState<IdentityLinkState> state) : Grain
{
    /// <summary>The patient this key points at, or null.</summary>
    public Task<string?> GetAsync() => Task.FromResult(state.State.PatientId);

    /// <summary>Sets (or clears) the pointer: manual link and unlink.</summary>
    public Task SetAsync(string? patientId) => PointAsync(patientId);

    /// <summary>The existing patient, or <paramref name="proposedPatientId"/> once recorded.</summary>
    protected async Task<string> GetOrPointAsync(string proposedPatientId)
    {
        if (state.State.PatientId is { } existing)
        {
            return existing;
        }

        await PointAsync(proposedPatientId);
        return proposedPatientId;
    }

    private async Task PointAsync(string? patientId)
    {
        var previous = state.State.PatientId;
        state.State.PatientId = patientId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory follows storage: a pointer whose write failed must not be answered as the key's patient, or a retry
            // would link its instances to a patient the key never durably named (a split patient after reactivation).
            state.State.PatientId = previous;
            throw;
        }
    }
}
