using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Ingest;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Mirc.Silo.Admin;
using Xunit;

namespace Mirc.Integration.Tests.Backup;

/// <summary>
/// The embedded default's backup procedure as an operator runs it: back up while the silo ingests, lose the data
/// folder, restore, start — every acknowledged study is found and served, and the audit chain is intact.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }

    private string Backup => Path.Combine(_work.Path, "backup");

    [Fact]
    public async Task An_online_backup_restores_every_acknowledged_study_and_an_intact_audit_chain()
    {
        var before = new[] { new SyntheticStudy("PAT-BACKUP-1", "MOREAU^Léa", 2, 3), new SyntheticStudy("PAT-BACKUP-2", "FAURE^Noé", 1, 4) };
        var during = new SyntheticStudy("PAT-BACKUP-3", "GIRARD^Inès", 1, 20);
        await using (var silo = new MircHostFactory(_data.Path))
        {
            _ = silo.Server;
            foreach (var study in before)
            {
                await StoreAsync(silo, study);
            }

            // Ingest goes on while the backup runs: online means the silo is not stopped for it.
            var files = await during.WriteAsync(Path.Combine(_work.Path, "during"), DicomTransferSyntax.ExplicitVRLittleEndian);
            var ingest = Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", Port(silo), .. files]);
            var backup = await AdminAsync("backup", Backup, $"--Mirc:DataPath={_data.Path}");
            Assert.True(backup.Exit == 0, backup.Error);
            Assert.Contains("backup of", backup.Output);
            await ingest;
        }

        var verified = await AdminAsync("verify-backup", Backup);
        Assert.True(verified.Exit == 0, verified.Error);

        // The data folder is lost.
        Directory.Delete(_data.Path, recursive: true);
        var restored = await AdminAsync("restore", Backup, $"--Mirc:DataPath={_data.Path}");
        Assert.True(restored.Exit == 0, restored.Error);
        Assert.Contains("audit chain intact", restored.Output);

        await using var again = new MircHostFactory(_data.Path);
        _ = again.Server;
        foreach (var study in before)
        {
            Assert.Equal(study.Instances.Count, await CountFoundAsync(again, study));
            Assert.Equal(study.Instances.Count, await CountRetrievedAsync(again, study));
        }

        // The study stored during the backup: each instance is all there or not there — never listed and missing (what
        // C-FIND lists, a C-GET after it serves) — and once the start-up work is over (the reconciliation of the stores
        // the backup caught in flight, then the follower's rebuild of the projections from the restored manifests, whose
        // index snapshot, taken first, may lack rows of instances stored meanwhile) every instance served is listed.
        var listed = await CountFoundAsync(again, during);
        Assert.True(listed <= await CountRetrievedAsync(again, during));
        await again.Services.GetRequiredService<IngestReconciler>().ReconcileAsync(TestContext.Current.CancellationToken);
        await ProjectionsRebuiltAsync(again);
        Assert.Equal(await CountRetrievedAsync(again, during), await CountFoundAsync(again, during));

        using var output = new StringWriter();
        var audit = await AdminCommand.RunAsync(["verify-audit", $"--Mirc:GatewayPort={again.GatewayPort}"], output, TextWriter.Null, TestContext.Current.CancellationToken);
        Assert.True(audit == 0, output.ToString());
        Assert.Contains("\"IsIntact\": true", output.ToString());
    }

    [Fact]
    public async Task A_restore_lists_the_instances_its_index_snapshot_lacked()
    {
        var study = new SyntheticStudy("PAT-BACKUP-GAP", "BLANC^Zoé", 1, 3);
        await using (var silo = new MircHostFactory(_data.Path))
        {
            _ = silo.Server;
            await StoreAsync(silo, study);
            await ProjectionsRebuiltAsync(silo);
        }

        // As when the index snapshot is taken before an instance's row is written and the manifests are copied after it.
        await using (var index = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "index.db")};Pooling=False"))
        {
            await index.OpenAsync(TestContext.Current.CancellationToken);
            await using var delete = index.CreateCommand();
            delete.CommandText = "DELETE FROM instances WHERE sop_instance_uid = $uid";
            delete.Parameters.AddWithValue("$uid", study.Instances[^1].SopInstanceUid);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal(0, (await AdminAsync("backup", Backup, $"--Mirc:DataPath={_data.Path}")).Exit);
        Directory.Delete(_data.Path, recursive: true);
        Assert.Equal(0, (await AdminAsync("restore", Backup, $"--Mirc:DataPath={_data.Path}")).Exit);

        await using var again = new MircHostFactory(_data.Path);
        _ = again.Server;
        await ProjectionsRebuiltAsync(again);
        Assert.Equal(study.Instances.Count, await CountFoundAsync(again, study));
        Assert.Equal(study.Instances.Count, await CountRetrievedAsync(again, study));
    }

    [Fact]
    public async Task A_damaged_backup_is_named_file_by_file_and_restores_nothing()
    {
        await using (var silo = new MircHostFactory(_data.Path))
        {
            _ = silo.Server;
            await StoreAsync(silo, new SyntheticStudy("PAT-DAMAGED", "ROUX^Jules", 1, 2));
            Assert.Equal(0, (await AdminAsync("backup", Backup, $"--Mirc:DataPath={_data.Path}")).Exit);
        }

        var instance = Directory.EnumerateFiles(Path.Combine(Backup, "blobs"), "*.dcm", SearchOption.AllDirectories).First();
        await using (var stream = new FileStream(instance, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            var b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(b ^ 0xFF));
        }

        var verified = await AdminAsync("verify-backup", Backup);
        Assert.Equal(1, verified.Exit);
        Assert.Contains(Path.GetFileName(instance), verified.Error);

        var target = Path.Combine(_work.Path, "elsewhere");
        var restored = await AdminAsync("restore", Backup, $"--Mirc:DataPath={target}");
        Assert.Equal(1, restored.Exit);
        Assert.Contains("damaged, nothing was restored", restored.Error);
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_restore_never_overwrites_a_data_folder_that_holds_data()
    {
        await using (var silo = new MircHostFactory(_data.Path))
        {
            _ = silo.Server;
            Assert.Equal(0, (await AdminAsync("backup", Backup, $"--Mirc:DataPath={_data.Path}")).Exit);
        }

        var restored = await AdminAsync("restore", Backup, $"--Mirc:DataPath={_data.Path}");
        Assert.Equal(1, restored.Exit);
        Assert.Contains("move its data folder aside", restored.Error);
    }

    /// <summary>
    /// Waits (a minute at most) until the silo's change-feed follower has run its backfill and applied the whole feed, as
    /// its timer does within seconds of a start.
    /// </summary>
    private static async Task ProjectionsRebuiltAsync(MircHostFactory silo)
    {
        var follower = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        ChangeFeedFollowerStatus status;
        while (((status = await follower.GetStatusAsync()).BackfilledAt is null || status.Lag > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.True(status.BackfilledAt is not null && status.Lag == 0, $"follower not caught up: head {status.Head}, lag {status.Lag}, backfilled {status.BackfilledAt}");
    }

    private static string Port(MircHostFactory silo) => silo.DicomPort.ToString(CultureInfo.InvariantCulture);

    private async Task StoreAsync(MircHostFactory silo, SyntheticStudy study)
    {
        var files = await study.WriteAsync(Path.Combine(_work.Path, study.PatientId), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", Port(silo), .. files]);
    }

    private static async Task<int> CountFoundAsync(MircHostFactory silo, SyntheticStudy study)
    {
        var found = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=IMAGE",
            "-k", $"StudyInstanceUID={study.StudyUid}", "-k", "SeriesInstanceUID", "-k", "SOPInstanceUID", "127.0.0.1", Port(silo));
        return study.Instances.Count(i => found.Combined.Contains(i.SopInstanceUid, StringComparison.Ordinal));
    }

    private async Task<int> CountRetrievedAsync(MircHostFactory silo, SyntheticStudy study)
    {
        var output = Path.Combine(_work.Path, $"got-{study.PatientId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(output);
        await Dcmtk.RunAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "+xe", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", Port(silo));
        return Directory.GetFiles(output).Length;
    }

    private static async Task<(int Exit, string Output, string Error)> AdminAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommand.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
