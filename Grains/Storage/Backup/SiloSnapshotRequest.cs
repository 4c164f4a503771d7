using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// A backup's SQLite snapshots asked of the silo running on the data folder, which holds those files exclusively: the
/// request is a folder of its own under <c>&lt;DataPath&gt;/backup-snapshots/</c> holding a <c>request</c> file; the silo
/// (<see cref="BackupSnapshotService"/>) marks it <c>taken</c>, writes the snapshots there and then <c>done</c> — or
/// <c>failed</c> with the reason. Through the data folder rather than the network: like the rest of a backup, it needs
/// only the folder, no gateway and no credentials (whoever may write the data folder holds the data already).
/// </summary>
public static class SiloSnapshotRequest
{
    /// <summary>Folder of the requests, under the data folder.</summary>
    public const string FolderName = "backup-snapshots";

    internal const string Request = "request";
    internal const string Taken = "taken";
    internal const string Done = "done";
    internal const string Failed = "failed";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    // How long the silo has to take a request up (it looks every BackupSnapshotService.Interval).
    private static readonly TimeSpan PickUpTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Asks the silo on <paramref name="layout"/> for the snapshots, moves them into <paramref name="destination"/> and
    /// returns their entries.
    /// </summary>
    /// <exception cref="IOException">No silo took the request up, or it could not take the snapshots.</exception>
    public static async Task<IReadOnlyList<BackupEntry>> RunAsync(DataFolderLayout layout, string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (FileOwner.NotOwnedByThisProcess(layout.DataPath) is { } why)
        {
            // The silo answers only in folders of its own account (BackupSnapshotService): say so now, not after a timeout.
            throw new UnauthorizedAccessException($"{layout.DataPath} is {why}: run admin backup as the silo's user");
        }

        var folder = Path.Combine(layout.DataPath, FolderName, Guid.NewGuid().ToString("N"));
        // Owner-only, whatever the umask: the silo answers only into folders no other account may write.
        OwnerOnlyFolder.Create(Path.GetDirectoryName(folder)!);
        OwnerOnlyFolder.Create(folder);
        try
        {
            // Created empty in one step: the silo never sees half a request.
            await File.WriteAllBytesAsync(Path.Combine(folder, Request), [], cancellationToken).ConfigureAwait(false);
            if (!await WaitForAsync(folder, [Taken, Done, Failed], PickUpTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException(
                    $"{layout.IndexPath} and {layout.AuditPath} are held by another process that does not answer backup requests "
                    + $"(after {PickUpTimeout.TotalSeconds:0} s): is a silo older than this command running on {layout.DataPath}?");
            }

            // As long as the snapshot takes (a large index): the silo marks the end either way.
            await WaitForAsync(folder, [Done, Failed], Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            if (File.Exists(Path.Combine(folder, Failed)))
            {
                var reason = await File.ReadAllTextAsync(Path.Combine(folder, Failed), cancellationToken).ConfigureAwait(false);
                throw new IOException("The running silo could not take the SQLite snapshots: " + reason);
            }

            var entries = new List<BackupEntry>();
            foreach (var (_, name) in SqliteSnapshots.Of(layout))
            {
                var target = Path.Combine(destination, name);
                File.Move(Path.Combine(folder, name), target);
                entries.Add(await BackupEntry.OfFileAsync(target, name, cancellationToken).ConfigureAwait(false));
            }

            return entries;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the silo's clean-up at its next start.
            }
        }
    }

    private static async Task<bool> WaitForAsync(string folder, string[] markers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (!markers.Any(m => File.Exists(Path.Combine(folder, m))))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
