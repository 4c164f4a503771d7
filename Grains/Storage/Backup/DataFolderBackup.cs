using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Indexing.Sql;
using Mirc.Grains.Security.Secrets;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// Online backup of the embedded default's data folder, while the silo runs. The order gives a restorable whole
/// without stopping ingest: the audit trail and the query index are SQLite snapshots taken first (consistent at one
/// instant each); then the grain state and the ingest journal (each file is replaced atomically by the store, so each
/// copy is whole); then the instance blobs, which are written before any manifest names them — so every instance a
/// copied manifest names has its blob in the copy; staged uploads (not data yet) are left out. Instances that arrive
/// meanwhile are either completed from the journal or collected as orphans by the restored silo's reconciler. Every file
/// is hashed as it is copied.
/// </summary>
public static class DataFolderBackup
{
    private const int CopyParallelism = 4;

    /// <summary>Backs up <paramref name="layout"/> into <paramref name="destination"/> (absent or empty); returns its catalog.</summary>
    /// <exception cref="IOException">The destination holds files.</exception>
    public static async Task<BackupCatalog> RunAsync(DataFolderLayout layout, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        destination = Path.GetFullPath(destination);
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new IOException($"{destination} is not empty: a backup goes into a new folder");
        }

        if (!Directory.Exists(layout.BlobRoot))
        {
            // An owner-only data folder hides its contents from another account: say that, not "does not exist".
            if (Directory.Exists(layout.DataPath) && !MayEnter(layout.DataPath))
            {
                throw new UnauthorizedAccessException($"{layout.DataPath} cannot be read by this account: run admin backup as the silo's user");
            }

            throw new DirectoryNotFoundException($"{layout.BlobRoot} does not exist: is Mirc:DataPath ({layout.DataPath}) the silo's data folder?");
        }

        // A whole copy of the archive's patient data: readable by this user only, as the data folder is.
        OwnerOnlyFolder.Create(destination);
        var started = DateTimeOffset.UtcNow;
        var entries = new ConcurrentBag<BackupEntry>(await SnapshotSqliteAsync(layout, destination, cancellationToken).ConfigureAwait(false));
        await CopyTreeAsync(layout.SecurityPath, destination, "security", entries, null, cancellationToken).ConfigureAwait(false);
        // Grain state and journal before the instances (see the class comment).
        var containers = Directory.GetDirectories(layout.BlobRoot).Select(Path.GetFileName).OfType<string>()
            .OrderBy(c => c.Contains("-instances-", StringComparison.Ordinal) ? 1 : 0).ThenBy(c => c, StringComparer.Ordinal);
        foreach (var container in containers)
        {
            // Staged uploads are not data yet: an acknowledged instance never lives in staging (its journal intent names
            // the final key), and an upload being received is held exclusively by its writer.
            var skip = container == layout.StagingContainer ? InstanceBlobLayout.IsStagedUpload
                : container == layout.GrainStateContainer ? IsFeedFollowerState
                : (Func<string, bool>?)null;
            await CopyTreeAsync(Path.Combine(layout.BlobRoot, container), destination, $"blobs/{container}", entries, skip, cancellationToken).ConfigureAwait(false);
        }

        var catalog = new BackupCatalog
        {
            StartedUtc = started,
            FinishedUtc = DateTimeOffset.UtcNow,
            Source = layout.DataPath,
            Files = [.. entries.OrderBy(e => e.Path, StringComparer.Ordinal)],
        };
        await catalog.WriteAsync(destination, cancellationToken).ConfigureAwait(false);
        return catalog;
    }

    /// <summary>
    /// The change-feed follower's state (its checkpoints and the backfill's date). Left out, as the feed itself is (its file
    /// is not in a backup): the checkpoints name positions in that feed, and the index snapshot, taken first, may lack rows
    /// of instances the manifests copied later hold. A restored silo starts its follower afresh — the backfill gives every
    /// restored study its Create events and the projections (query index, patient study lists, retention schedule)
    /// converge on the restored manifests.
    /// </summary>
    private static bool IsFeedFollowerState(string name) => GrainStateBlobNaming.GrainKeyOf(name, ChangeFeedFollowerGrain.StateName) is not null;

    /// <summary>
    /// The SQLite snapshots, taken here — or, when a running silo holds the files (its connections take them exclusively,
    /// see <see cref="Indexing.Sql.DurableSqlite"/>), asked of that silo through the data folder.
    /// </summary>
    private static async Task<IReadOnlyList<BackupEntry>> SnapshotSqliteAsync(DataFolderLayout layout, string destination, CancellationToken cancellationToken)
    {
        var taken = new List<BackupEntry>();
        try
        {
            foreach (var (database, name) in SqliteSnapshots.Of(layout))
            {
                taken.Add(await SqliteSnapshots.TakeAsync(database, destination, name, cancellationToken).ConfigureAwait(false));
            }

            return taken;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == DurableSqlite.Busy)
        {
            // All of them from the silo, in the same order: none of this process's copies is kept.
            foreach (var (_, name) in SqliteSnapshots.Of(layout))
            {
                File.Delete(Path.Combine(destination, name));
            }

            return await SiloSnapshotRequest.RunAsync(layout, destination, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool MayEnter(string folder)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(folder).Any();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Copies the files under <paramref name="sourceRoot"/> except those whose name there <paramref name="skip"/> picks.</summary>
    private static async Task CopyTreeAsync(string sourceRoot, string destination, string prefix, ConcurrentBag<BackupEntry> entries, Func<string, bool>? skip, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(sourceRoot))
        {
            return;
        }

        // Temporary files of writes in progress are not data yet.
        var files = Directory.EnumerateFiles(sourceRoot, "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Name: Path.GetRelativePath(sourceRoot, f).Replace(Path.DirectorySeparatorChar, '/')))
            .Where(f => !Path.GetFileName(f.File).StartsWith(".tmp-", StringComparison.Ordinal) && skip?.Invoke(f.Name) != true);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = CopyParallelism, CancellationToken = cancellationToken }, async (f, ct) =>
        {
            var (file, name) = f;
            var relative = $"{prefix}/{name}";
            var entry = await CopyHashedAsync(file, Path.Combine(destination, relative), relative, ct).ConfigureAwait(false);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Copies one file, hashing it on the way; null when it vanished meanwhile (erased, or a journal slot freed).</summary>
    internal static async Task<BackupEntry?> CopyHashedAsync(string source, string target, string relative, CancellationToken cancellationToken)
    {
        FileStream input;
        try
        {
            input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        await using (input.ConfigureAwait(false))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            long length = 0;
            try
            {
                await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }

                output.Flush(flushToDisk: true);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return new BackupEntry(relative, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
    }
}
