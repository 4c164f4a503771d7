using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// The silo's side of <see cref="SiloSnapshotRequest"/>: looks for requests in the data folder and answers each with the
/// SQLite snapshots of the files it holds (embedded default only).
/// </summary>
public sealed partial class BackupSnapshotService : BackgroundService
{
    /// <summary>How often the request folder is looked at (one directory listing; a backup waits at most this long).</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly DataFolderLayout _layout;
    private readonly ILogger<BackupSnapshotService> _logger;
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);

    /// <summary>Answers the requests of <paramref name="layout"/>'s data folder.</summary>
    public BackupSnapshotService(DataFolderLayout layout, ILogger<BackupSnapshotService> logger)
    {
        _layout = layout;
        _logger = logger;
    }

    private string Requests => Path.Combine(_layout.DataPath, SiloSnapshotRequest.FolderName);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Requests left by an earlier run: their commands gave up or ended with it.
        try
        {
            if (Directory.Exists(Requests))
            {
                Directory.Delete(Requests, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogLeftOver(_logger, ex, Requests);
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await AnswerPendingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The request folder itself unreadable: a failed hosted service would stop the silo; the next tick looks again.
                LogFailed(_logger, ex, Requests);
            }
        }
    }

    /// <summary>
    /// Answers every request not taken up yet. Whoever can write into the data folder can leave a request (as the admin
    /// command does), but the silo writes only into a real folder that holds nothing but that request, and creates each
    /// file of its answer new: a link planted there (to a folder, or in place of a snapshot or a marker) would otherwise
    /// have the silo write an index snapshot, or truncate a file, wherever the link points, with the silo's rights.
    /// </summary>
    internal async Task AnswerPendingAsync(CancellationToken cancellationToken)
    {
        var requests = new DirectoryInfo(Requests);
        if (!requests.Exists)
        {
            return;
        }

        if ((requests.LinkTarget is not null ? "a link, not a folder" : NotTheSilosAlone(Requests)) is { } refusal)
        {
            Refuse(Requests, refusal);
            return;
        }

        var sharedForWriting = NotTheSilosAlone(_layout.DataPath) is { } why ? $"the data folder {_layout.DataPath} is {why}" : null;
        foreach (var entry in requests.EnumerateFileSystemInfos())
        {
            var folder = entry.FullName;
            if (entry.LinkTarget is not null || entry is not DirectoryInfo directory)
            {
                Refuse(folder, entry.LinkTarget is not null ? "a link, not a folder" : "a file, not a folder");
                continue;
            }

            if (NotTheSilosAlone(folder) is { } foreign)
            {
                // Another account could change its entries between the silo's checks and its writes: nothing written there,
                // not even the reason (the command that made it runs as the silo's user and never leaves such a folder).
                Refuse(folder, foreign);
                continue;
            }

            var entries = directory.EnumerateFileSystemInfos().Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            if (!entries.Contains(SiloSnapshotRequest.Request) || entries.Contains(SiloSnapshotRequest.Taken) || entries.Contains(SiloSnapshotRequest.Failed))
            {
                continue;
            }

            if (sharedForWriting is not null)
            {
                // Another account could swap a folder on the way between the silo's checks and its writes.
                Refuse(folder, sharedForWriting);
                await AnswerQuietlyAsync(folder, SiloSnapshotRequest.Failed, sharedForWriting + ": no snapshot is written there until it is the silo's alone (owned by the silo's user, chmod 700)", cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (entries.Count != 1)
            {
                Refuse(folder, "it holds more than the request");
                await AnswerQuietlyAsync(folder, SiloSnapshotRequest.Failed, "the request folder holds more than the request: nothing written", cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await CreateNewAsync(folder, SiloSnapshotRequest.Taken, string.Empty, cancellationToken).ConfigureAwait(false);
                foreach (var (database, name) in SqliteSnapshots.Of(_layout))
                {
                    await SqliteSnapshots.TakeAsync(database, folder, name, cancellationToken).ConfigureAwait(false);
                }

                await CreateNewAsync(folder, SiloSnapshotRequest.Done, string.Empty, cancellationToken).ConfigureAwait(false);
                LogAnswered(_logger, folder);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The request folder may be gone already (its command gave up): nothing to tell then.
                LogFailed(_logger, ex, folder);
                await AnswerQuietlyAsync(folder, SiloSnapshotRequest.Failed, ex.Message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Why an account other than the silo's could add, remove or swap entries of <paramref name="folder"/> — it belongs
    /// to another account, or its mode lets others write —, or null.
    /// </summary>
    private static string? NotTheSilosAlone(string folder) =>
        FileOwner.NotOwnedByThisProcess(folder)
        ?? (OwnerOnlyFolder.OpenToOthers(folder, UnixFileMode.GroupWrite | UnixFileMode.OtherWrite) is { } mode
            ? $"writable by other accounts (mode {mode})"
            : null);

    /// <summary>Logs a refused entry once per run: it stays until someone removes it, and is looked at every tick.</summary>
    private void Refuse(string path, string reason)
    {
        if (_refused.Add(path + "\n" + reason))
        {
            LogRefused(_logger, path, reason);
        }
    }

    private static async Task AnswerQuietlyAsync(string folder, string marker, string text, CancellationToken cancellationToken)
    {
        try
        {
            await CreateNewAsync(folder, marker, text, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Creates <paramref name="name"/> in <paramref name="folder"/>; fails if anything is there, a link included (O_EXCL does not follow it).</summary>
    private static async Task CreateNewAsync(string folder, string name, string text, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup: {Folder} is not answered: {Reason}")]
    private static partial void LogRefused(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup: SQLite snapshots written for the request in {Folder}")]
    private static partial void LogAnswered(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup: the requests left in {Folder} by an earlier run could not be removed")]
    private static partial void LogLeftOver(ILogger logger, Exception exception, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup: the SQLite snapshots for the request in {Folder} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string folder);
}
