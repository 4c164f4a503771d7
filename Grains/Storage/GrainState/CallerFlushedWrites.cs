namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// A grain's first state record written without a durability round of its own, left to its caller's next
/// <see cref="Blobs.IBlobStore.FlushAsync"/>: the ingest makes a new patient's identity link and record durable in the
/// one round of its journal intent and staged data. Honoured by <see cref="BlobGrainStorage"/> only, and by its store
/// only where a flush covers lazy writes (<see cref="Blobs.IBlobStore.CreateInPlaceLazilyAsync"/>); a replaced record,
/// and every other provider, is durable on return as always.
/// </summary>
internal static class CallerFlushedWrites
{
    private static readonly AsyncLocal<bool> Scope = new();

    /// <summary>True inside a write asked for before the caller's flush.</summary>
    public static bool Active => Scope.Value;

    /// <summary>
    /// <see cref="RefusedWriteReset.WriteOrResetAsync{T}"/>, with a first record left to the caller's flush when
    /// <paramref name="beforeCallerFlush"/>. The flag does not outlive this call: what an async method sets in an
    /// <see cref="AsyncLocal{T}"/> never flows back to its caller.
    /// </summary>
    public static async Task WriteOrResetAsync<T>(this IPersistentState<T> state, Action deactivateOnIdle, bool beforeCallerFlush)
    {
        Scope.Value = beforeCallerFlush;
        await state.WriteOrResetAsync(deactivateOnIdle);
    }
}
