namespace Mirc.Grains.Storage;

/// <summary>Names of the grain-state providers grains use in <c>[PersistentState(name, StorageProviders.Archive)]</c>.</summary>
public static class StorageProviders
{
    /// <summary>Grain state in the archive's blob store (<see cref="GrainState.BlobGrainStorage"/>).</summary>
    public const string Archive = "archive";
}
