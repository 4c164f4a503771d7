using Mirc.Grains.Storage.Backup;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage.Backup;

public sealed class DataFolderBackupTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("backup");

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_root);

    [Fact]
    public async Task An_upload_being_staged_and_the_feed_followers_checkpoints_are_left_out_while_journal_grain_state_and_instances_are_copied()
    {
        var data = Path.Combine(_root, "data");
        var blobs = Path.Combine(data, "blobs");
        var files = new Dictionary<string, string>
        {
            ["mirc-staging/journal/slot-0001"] = "intent",
            ["mirc-grainstate/study/1.2.3"] = "state",
            ["mirc-instances-00/1.2.3/1.2.3.4/1.2.3.4.5.dcm"] = "instance",
        };
        foreach (var (name, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(blobs, name))!);
            await File.WriteAllTextAsync(Path.Combine(blobs, name), content, TestContext.Current.CancellationToken);
        }

        // The change feed is not in a backup, so neither are its follower's checkpoints into it: a restored silo's follower
        // starts afresh, backfills every restored study and rebuilds the projections from the restored manifests.
        var follower = Path.Combine(blobs, "mirc-grainstate", "changefeedFollower", "changefeedfollower", "changefeed.rec");
        Directory.CreateDirectory(Path.GetDirectoryName(follower)!);
        await File.WriteAllTextAsync(follower, "checkpoints", TestContext.Current.CancellationToken);

        // A store in progress holds its staged upload exclusively (as FileSystemBlobStore does): opening it fails.
        await using var upload = new FileStream(Path.Combine(blobs, "mirc-staging", "0123456789abcdef0123456789abcdef.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        upload.Write(new byte[4096]);

        var layout = new DataFolderLayout(data, blobs, Path.Combine(data, "index.db"), Path.Combine(data, "audit.db"), Path.Combine(data, "security"), "mirc-staging", "mirc-grainstate");
        var catalog = await DataFolderBackup.RunAsync(layout, Path.Combine(_root, "backup"), TestContext.Current.CancellationToken);

        Assert.Equal(files.Keys.Select(k => $"blobs/{k}").Order(StringComparer.Ordinal), catalog.Files.Select(f => f.Path));
        foreach (var (name, content) in files)
        {
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(_root, "backup", "blobs", name), TestContext.Current.CancellationToken));
        }
    }
}
