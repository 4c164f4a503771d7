namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// A grain's replaced state record published lazily (<see cref="Blobs.IBlobStore.WriteIfMatchLazilyAsync"/>: one flush
/// round instead of two), for a write a journal replays after a crash: the study summary written behind the answer,
/// which holds the manifest's first segment and whose other changes the re-registered instances derive again. Honoured
/// by <see cref="BlobGrainStorage"/>; a new record, and every other provider, is durable on return as always.
/// </summary>
internal static class ReplayedWrites
{
    private static readonly AsyncLocal<bool> Scope = new();

    /// <summary>True inside a write asked for as replayed.</summary>
    public static bool Active => Scope.Value;

    /// <summary>
    /// Runs <paramref name="write"/> (a grain-state write) as a replayed write. The flag does not outlive this call: what
    /// an async method sets in an <see cref="AsyncLocal{T}"/> never flows back to its caller.
    /// </summary>
    public static async Task WriteAsync(Func<Task> write)
    {
        Scope.Value = true;
        await write();
    }
}
