using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// Restore of a <see cref="DataFolderBackup"/> into an empty data folder, the silo stopped: every file of the backup is
/// checked against its catalog before anything is written (a damaged backup leaves the target untouched), copied
/// into place and re-hashed, and the restored audit trail's hash chain is verified. The restored silo's start-up
/// reconciler then completes or collects the instances that were in flight when the backup was taken.
/// </summary>
public static class DataFolderRestore
{
    private const int Parallelism = 4;

    /// <summary>Files of <paramref name="backupFolder"/> that are missing or differ from its catalog (empty: intact).</summary>
    public static async Task<(BackupCatalog Catalog, IReadOnlyList<string> Problems)> VerifyAsync(string backupFolder, CancellationToken cancellationToken = default)
    {
        var catalog = await BackupCatalog.ReadAsync(backupFolder, cancellationToken).ConfigureAwait(false);
        var problems = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(catalog.Files, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var path = Path.Combine(backupFolder, entry.Path);
            if (!File.Exists(path))
            {
                problems.Add($"{entry.Path}: missing");
                return;
            }

            var found = await BackupEntry.OfFileAsync(path, entry.Path, ct).ConfigureAwait(false);
            if (found != entry)
            {
                problems.Add($"{entry.Path}: content differs from the catalog ({found.Length} bytes, SHA-256 {found.Sha256}; expected {entry.Length} bytes, {entry.Sha256})");
            }
        }).ConfigureAwait(false);
        return (catalog, [.. problems.Order(StringComparer.Ordinal)]);
    }

    /// <summary>Restores <paramref name="backupFolder"/> into <paramref name="layout"/>'s empty data folder.</summary>
    /// <exception cref="InvalidDataException">The backup is damaged (nothing was written).</exception>
    /// <exception cref="IOException">The target data folder, blob root or databases already hold data.</exception>
    public static async Task<RestoreReport> RunAsync(string backupFolder, DataFolderLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        backupFolder = Path.GetFullPath(backupFolder);
        var occupied = new[] { layout.BlobRoot, layout.SecurityPath }.Where(d => Directory.Exists(d) && Directory.EnumerateFileSystemEntries(d).Any())
            .Concat(new[] { layout.IndexPath, layout.AuditPath }.Where(File.Exists)).ToArray();
        if (occupied.Length > 0)
        {
            throw new IOException($"the target already holds data ({string.Join(", ", occupied)}): stop the silo and move its data folder aside before a restore");
        }

        var (catalog, problems) = await VerifyAsync(backupFolder, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"the backup is damaged, nothing was restored:\n  {string.Join("\n  ", problems)}");
        }

        OwnerOnlyFolder.Create(layout.DataPath);
        long bytes = 0;
        await Parallel.ForEachAsync(catalog.Files, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var copied = await DataFolderBackup.CopyHashedAsync(Path.Combine(backupFolder, entry.Path), TargetOf(entry.Path, layout), entry.Path, ct).ConfigureAwait(false);
            if (copied is null || !string.Equals(copied.Sha256, entry.Sha256, StringComparison.Ordinal))
            {
                throw new IOException($"{entry.Path} changed while it was restored (read error or concurrent writer): the restore is incomplete");
            }

            Interlocked.Add(ref bytes, copied.Length);
        }).ConfigureAwait(false);

        var audit = File.Exists(layout.AuditPath)
            ? await new AuditTrail(new SqliteAuditStore(layout.AuditPath), Options.Create(new AuditOptions())).VerifyAsync(cancellationToken).ConfigureAwait(false)
            : new AuditVerification(true, 0);
        return new RestoreReport(catalog, catalog.Files.Count, bytes, audit);
    }

    /// <summary>Where a backup path goes in the data folder (the index and the trail may live outside it, by configuration).</summary>
    private static string TargetOf(string path, DataFolderLayout layout) => Path.IsPathRooted(path) || path.Split('/', '\\').Contains("..")
        ? throw new InvalidDataException($"path outside the backup in its catalog: {path}")
        : path switch
    {
        "audit.db" => layout.AuditPath,
        "index.db" => layout.IndexPath,
        _ when path.StartsWith("security/", StringComparison.Ordinal) => Path.Combine(layout.SecurityPath, path["security/".Length..]),
        _ when path.StartsWith("blobs/", StringComparison.Ordinal) => Path.Combine(layout.BlobRoot, path["blobs/".Length..]),
        _ => throw new InvalidDataException($"unexpected path in the backup catalog: {path}"),
    };
}

/// <summary>What a restore did: the backup's catalog, files and bytes written, the restored audit chain's verification.</summary>
public sealed record RestoreReport(BackupCatalog Catalog, int Files, long Bytes, AuditVerification Audit);
