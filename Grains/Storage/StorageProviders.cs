namespace Mirc.Grains.Storage;

/// <summary>Names of the grain-state providers grains use in <c>[PersistentState(name, StorageProviders.Archive)]</c>.</summary>
public static class StorageProviders
{
    /// <summary>Grain state in the archive's blob store (<see cref="GrainState.BlobGrainStorage"/>).</summary>
    public const string Archive = "archive";

    /// <summary>
    /// The same grain state, written with a lazily published new version (one flush round per write instead of two):
    /// for state the ingest journal replays after a crash — study manifest segments. Resolve it with
    /// <see cref="Archive"/> as fallback where it is not registered.
    /// </summary>
    public const string ArchiveJournaled = "archive-journaled";
}
