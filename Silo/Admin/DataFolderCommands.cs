using System.Globalization;
using Mirc.Grains.Storage.Backup;

namespace Mirc.Silo.Admin;

/// <summary>
/// <c>admin backup | verify-backup | restore &lt;folder&gt;</c>: the embedded default's backup procedure, on the data
/// folder the silo's configuration names (no cluster call: a restore runs with the silo stopped).
/// </summary>
internal static class DataFolderCommands
{
    public static async Task<int> RunAsync(IConfiguration configuration, AdminArguments command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(command.Folder());
        try
        {
            switch (command.Verb)
            {
                case "backup":
                {
                    var catalog = await DataFolderBackup.RunAsync(DataFolderLayout.From(configuration), folder, cancellationToken);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"backup of {catalog.Source} written to {folder}: {catalog.Files.Count} files, {Megabytes(catalog.Files.Sum(f => f.Length))} MB, "
                        + $"in {(catalog.FinishedUtc - catalog.StartedUtc).TotalSeconds:0.0} s; its catalog is {BackupCatalog.FileName}"));
                    return 0;
                }

                case "verify-backup":
                {
                    var (catalog, problems) = await DataFolderRestore.VerifyAsync(folder, cancellationToken);
                    if (problems.Count > 0)
                    {
                        await error.WriteLineAsync($"{folder} is damaged ({problems.Count} of {catalog.Files.Count} files):\n  {string.Join("\n  ", problems)}");
                        return 1;
                    }

                    await output.WriteLineAsync($"{folder}: {catalog.Files.Count} files intact (backup of {catalog.Source}, {catalog.StartedUtc:u})");
                    return 0;
                }

                default:
                {
                    var report = await DataFolderRestore.RunAsync(folder, DataFolderLayout.From(configuration), cancellationToken);
                    var chain = report.Audit.IsIntact
                        ? $"intact, {report.Audit.RecordsChecked} records"
                        : $"BROKEN at record {report.Audit.FirstBrokenSequence}: {report.Audit.Problem}";
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"restored {report.Files} files ({Megabytes(report.Bytes)} MB) of the backup taken {report.Catalog.StartedUtc:u}; audit chain {chain}"));
                    return report.Audit.IsIntact ? 0 : 1;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"{command.Verb}: {ex.Message}");
            return 1;
        }
    }

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
