using Mirc.Grains.Storage.GrainState;

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
    public Task SetAsync(string? patientId) => PointAsync(patientId, beforeCallerFlush: false);

    /// <summary>
    /// The existing patient, or <paramref name="proposedPatientId"/> once recorded (with <paramref name="beforeCallerFlush"/>,
    /// a first record is left to the caller's flush: <see cref="CallerFlushedWrites"/>).
    /// </summary>
    protected async Task<string> GetOrPointAsync(string proposedPatientId, bool beforeCallerFlush = false)
    {
        if (state.State.PatientId is { } existing)
        {
            return existing;
        }

        await PointAsync(proposedPatientId, beforeCallerFlush);
        return proposedPatientId;
    }

    private async Task PointAsync(string? patientId, bool beforeCallerFlush)
    {
        state.State.PatientId = patientId;
        // A pointer whose write failed must not be answered as the key's patient: a retry would link its instances to a
        // patient the key never durably named (a split patient after the next activation).
        await state.WriteOrResetAsync(DeactivateOnIdle, beforeCallerFlush);
    }
}
