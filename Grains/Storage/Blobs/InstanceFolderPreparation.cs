namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Makes the instance containers' fixed folders (<see cref="InstanceBlobLayout.InstanceFolders"/>) ready as the silo
/// starts, before any store: a new archive's first studies create no folder either (4,096 with the default 16 shards,
/// made once; each later start finds them, one check each). Stores without folders do nothing.
/// </summary>
internal sealed class InstanceFolderPreparation(IBlobStore blobs, InstanceBlobLayout layout) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(InstanceFolderPreparation), ServiceLifecycleStage.ApplicationServices, PrepareAsync);

    internal async Task PrepareAsync(CancellationToken cancellationToken)
    {
        foreach (var container in layout.InstanceContainers)
        {
            await blobs.PrepareFoldersAsync(container, InstanceBlobLayout.InstanceFolders, cancellationToken).ConfigureAwait(false);
        }
    }
}
