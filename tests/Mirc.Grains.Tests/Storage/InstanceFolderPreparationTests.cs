using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>The instance containers' fixed folders are made as the silo starts: no store of a new archive creates one.</summary>
public sealed class InstanceFolderPreparationTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    [Fact]
    public void A_started_silo_has_made_every_instance_folder_ready()
    {
        var root = ((FileSystemBlobStore)archive.Blobs).RootPath;
        foreach (var container in archive.Layout.InstanceContainers)
        {
            var folders = Directory.GetDirectories(Path.Combine(root, container)).Select(Path.GetFileName).ToHashSet();
            Assert.Superset(InstanceBlobLayout.InstanceFolders.ToHashSet(), folders!);
        }
    }
}
