namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// State writes of grains whose memory must never hold a change storage refused (consent, care relationships, patient
/// identity links and records, establishments, retention buckets, accounts): when the write fails, the state is read
/// back from storage and the grain deactivates once idle, so the next call starts from what is stored.
/// </summary>
internal static class RefusedWriteReset
{
    /// <summary>Writes <paramref name="state"/>; on failure reloads it, calls <paramref name="deactivateOnIdle"/> and rethrows.</summary>
    public static async Task WriteOrResetAsync<T>(this IPersistentState<T> state, Action deactivateOnIdle)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ResetAsync(deactivateOnIdle);
            throw;
        }
    }

    /// <summary>
    /// After a write that storage refused (of <paramref name="state"/> or of a record that goes with it): reloads
    /// <paramref name="state"/> and calls <paramref name="deactivateOnIdle"/>.
    /// </summary>
    public static async Task ResetAsync<T>(this IPersistentState<T> state, Action deactivateOnIdle)
    {
        try
        {
            await state.ReadStateAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage unavailable: the deactivation re-reads it on the next call.
        }

        deactivateOnIdle();
    }
}
