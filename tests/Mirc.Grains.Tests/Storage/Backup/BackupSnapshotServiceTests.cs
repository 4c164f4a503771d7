using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Storage.Backup;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage.Backup;

/// <summary>
/// The silo answers backup requests left in its data folder, writing SQLite snapshots and markers there: never through a
/// link that another account able to write into the data folder planted (it would write wherever the link points, with
/// the silo's rights).
/// </summary>
public sealed class BackupSnapshotServiceTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("backup-requests");

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_root);

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_request_is_answered_with_snapshots_but_a_linked_folder_or_a_planted_link_gets_nothing_written_through_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var (data, layout) = await DataFolderWithIndexAsync(ct);
        var requests = Path.Combine(data, SiloSnapshotRequest.FolderName);
        var victim = Path.Combine(_root, "victim.txt");
        await File.WriteAllTextAsync(victim, "someone else's file", ct);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(elsewhere, "request"), [], ct);

        var good = Request(requests, "good");
        var planted = Request(requests, "planted");
        File.CreateSymbolicLink(Path.Combine(planted, "index.db"), victim);
        var marker = Request(requests, "marker");
        File.CreateSymbolicLink(Path.Combine(marker, "done"), victim);
        Directory.CreateSymbolicLink(Path.Combine(requests, "linked"), elsewhere);

        await new BackupSnapshotService(layout, NullLogger<BackupSnapshotService>.Instance).AnswerPendingAsync(ct);

        Assert.True(File.Exists(Path.Combine(good, "taken")));
        Assert.True(File.Exists(Path.Combine(good, "done")));
        await using (var copy = new SqliteConnection($"Data Source={Path.Combine(good, "index.db")};Pooling=false;Mode=ReadOnly"))
        {
            await copy.OpenAsync(ct);
            await using var read = copy.CreateCommand();
            read.CommandText = "SELECT uid FROM studies";
            Assert.Equal("1.2.3", await read.ExecuteScalarAsync(ct));
        }

        Assert.Equal("someone else's file", await File.ReadAllTextAsync(victim, ct));
        foreach (var refused in new[] { planted, marker })
        {
            Assert.False(File.Exists(Path.Combine(refused, "taken")));
            Assert.Contains("holds more than the request", await File.ReadAllTextAsync(Path.Combine(refused, "failed"), ct), StringComparison.Ordinal);
        }

        Assert.Equal(["request"], Directory.EnumerateFileSystemEntries(elsewhere).Select(Path.GetFileName));

        // A data folder other accounts may write into: one of them could swap a folder between the silo's checks and its
        // writes, so no request is answered (the reason goes back to the command).
        File.SetUnixFileMode(data, File.GetUnixFileMode(data) | UnixFileMode.GroupWrite);
        var whileShared = Request(requests, "while-shared");
        await new BackupSnapshotService(layout, NullLogger<BackupSnapshotService>.Instance).AnswerPendingAsync(ct);
        Assert.Equal(["failed", "request"], Directory.EnumerateFileSystemEntries(whileShared).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("writable by other accounts", await File.ReadAllTextAsync(Path.Combine(whileShared, "failed"), ct), StringComparison.Ordinal);
        File.SetUnixFileMode(data, File.GetUnixFileMode(data) & ~UnixFileMode.GroupWrite);

        // The folder of requests itself a link: nothing answered through it either, not even a well-formed request.
        Directory.Delete(requests, recursive: true);
        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        var wellFormed = Request(outside, "x");
        Directory.CreateSymbolicLink(requests, outside);
        await new BackupSnapshotService(layout, NullLogger<BackupSnapshotService>.Instance).AnswerPendingAsync(ct);
        Assert.Equal(["request"], Directory.EnumerateFileSystemEntries(wellFormed).Select(Path.GetFileName));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_folder_of_another_account_gets_nothing_written_into_it_and_the_command_refuses_one_at_once()
    {
        Assert.SkipUnless(Environment.UserName == "root", "giving a folder to another account takes root (the suite runs as root in CI)");
        var ct = TestContext.Current.CancellationToken;
        var (data, layout) = await DataFolderWithIndexAsync(ct);

        // A request folder made by another account while it could write into the data folder: that account may still
        // change its entries (through a descriptor it kept open), so the silo writes nothing there, not even a reason.
        var requests = Path.Combine(data, SiloSnapshotRequest.FolderName);
        var foreign = Request(requests, "foreign");
        GiveToNobody(foreign);
        var own = Request(requests, "own");
        var service = new BackupSnapshotService(layout, NullLogger<BackupSnapshotService>.Instance);
        await service.AnswerPendingAsync(ct);
        Assert.Equal(["request"], Directory.EnumerateFileSystemEntries(foreign).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(own, "done")));

        // The folder of requests itself another account's: not even the silo's own request inside is answered.
        GiveToNobody(requests);
        var inForeignFolder = Request(requests, "inside");
        await service.AnswerPendingAsync(ct);
        Assert.Equal(["request"], Directory.EnumerateFileSystemEntries(inForeignFolder).Select(Path.GetFileName));

        // The command run by an account that is not the data folder's says so at once (the silo would never answer it).
        GiveToNobody(data);
        var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => SiloSnapshotRequest.RunAsync(layout, Path.Combine(_root, "copy"), ct));
        Assert.Contains("owned by account 65534", refused.Message, StringComparison.Ordinal);
        Assert.Contains("run admin backup as the silo's user", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A data folder whose index holds one study, 1.2.3.</summary>
    private async Task<(string Data, DataFolderLayout Layout)> DataFolderWithIndexAsync(CancellationToken ct)
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var layout = new DataFolderLayout(data, Path.Combine(data, "blobs"), Path.Combine(data, "index.db"), Path.Combine(data, "audit.db"), Path.Combine(data, "security"), "mirc-staging", "mirc-grainstate");
        await using var index = new SqliteConnection($"Data Source={layout.IndexPath};Pooling=false");
        await index.OpenAsync(ct);
        await using var create = index.CreateCommand();
        create.CommandText = "CREATE TABLE studies (uid TEXT); INSERT INTO studies VALUES ('1.2.3');";
        await create.ExecuteNonQueryAsync(ct);
        return (data, layout);
    }

    private static void GiveToNobody(string path) =>
        Assert.True(NativeMethods.chown(path, 65534, 65534) == 0, $"chown {path}: errno {Marshal.GetLastPInvokeError()}");

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks.
        [DllImport("libc", SetLastError = true)]
        public static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);
#pragma warning restore SYSLIB1054
    }

    private static string Request(string requests, string id)
    {
        var folder = Directory.CreateDirectory(Path.Combine(requests, id)).FullName;
        File.WriteAllBytes(Path.Combine(folder, "request"), []);
        return folder;
    }
}
