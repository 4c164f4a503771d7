using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Storage.Backup;
using Mirc.Integration.Tests.Hosting;
using Mirc.Silo.Admin;
using Xunit;

namespace Mirc.Integration.Tests.Backup;

/// <summary>
/// The silo as its own process holds its SQLite files: no other process reads them behind its back, and <c>admin
/// backup</c>, run from another process as an operator runs it, gets its snapshots from the silo through the data folder
/// — a backup that verifies and restores. The data folder the silo creates, the backup and the restored folder are
/// readable by their owner only (patient data: no other local account lists or reads them).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BackupOfRunningSiloProcessTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Another_process_cannot_read_the_silos_sqlite_files_and_an_online_backup_gets_them_from_the_silo_into_owner_only_folders()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Path.Combine(_data.Path, "data"); // created by the silo
        await using var silo = SiloProcess.Start(SiloProcess.OwnArguments(data));
        await silo.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90), ct);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(data));

        // Read directly, as the backup first tries: refused at once — the file is the silo's alone.
        var index = Path.Combine(data, "index.db");
        await using (var outsider = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = index, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 1 }.ToString()))
        {
            await outsider.OpenAsync(ct);
            await using var read = outsider.CreateCommand();
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            var refused = await Assert.ThrowsAsync<SqliteException>(() => read.ExecuteScalarAsync(ct));
            Assert.Equal(5, refused.SqliteErrorCode); // SQLITE_BUSY: "database is locked"
        }

        Assert.False(File.Exists(index + "-shm"), "the WAL index is in the silo's memory, not in a file every flush round writes back");

        var backup = Path.Combine(_work.Path, "backup");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommand.RunAsync(["backup", backup, $"--Mirc:DataPath={data}"], output, error, ct);
        Assert.True(exit == 0, $"{output}{error}\n{silo.Output}");
        Assert.True(Directory.Exists(Path.Combine(data, SiloSnapshotRequest.FolderName)), "the snapshots were asked of the silo");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(data, SiloSnapshotRequest.FolderName)));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(backup));

        // The index snapshot is a whole database of its own.
        await using (var copy = new SqliteConnection($"Data Source={Path.Combine(backup, "index.db")};Mode=ReadOnly;Pooling=False"))
        {
            await copy.OpenAsync(ct);
            await using var tables = copy.CreateCommand();
            tables.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('patients', 'studies', 'series', 'instances')";
            Assert.Equal(4L, await tables.ExecuteScalarAsync(ct));
        }

        Assert.True(File.Exists(Path.Combine(backup, "audit.db")), "the audit trail's snapshot is in the backup");
        var verified = await AdminCommand.RunAsync(["verify-backup", backup, $"--Mirc:DataPath={data}"], output, error, ct);
        Assert.True(verified == 0, $"{output}{error}");
        // A restore checks the restored audit chain (exit code 1 when broken).
        var restoredFolder = Path.Combine(_work.Path, "restored");
        var restored = await AdminCommand.RunAsync(["restore", backup, $"--Mirc:DataPath={restoredFolder}"], output, error, ct);
        Assert.True(restored == 0, $"{output}{error}");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(restoredFolder));
    }
}
