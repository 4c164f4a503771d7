using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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

    /// <summary>Answers every request not taken up yet.</summary>
    internal async Task AnswerPendingAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Requests))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(Requests))
        {
            if (!File.Exists(Path.Combine(folder, SiloSnapshotRequest.Request)) || File.Exists(Path.Combine(folder, SiloSnapshotRequest.Taken)))
            {
                continue;
            }

            try
            {
                await File.WriteAllBytesAsync(Path.Combine(folder, SiloSnapshotRequest.Taken), [], cancellationToken).ConfigureAwait(false);
                foreach (var (database, name) in SqliteSnapshots.Of(_layout))
                {
                    await SqliteSnapshots.TakeAsync(database, folder, name, cancellationToken).ConfigureAwait(false);
                }

                await File.WriteAllBytesAsync(Path.Combine(folder, SiloSnapshotRequest.Done), [], cancellationToken).ConfigureAwait(false);
                LogAnswered(_logger, folder);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The request folder may be gone already (its command gave up): nothing to tell then.
                LogFailed(_logger, ex, folder);
                try
                {
                    await File.WriteAllTextAsync(Path.Combine(folder, SiloSnapshotRequest.Failed), ex.Message, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup: SQLite snapshots written for the request in {Folder}")]
    private static partial void LogAnswered(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup: the requests left in {Folder} by an earlier run could not be removed")]
    private static partial void LogLeftOver(ILogger logger, Exception exception, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup: the SQLite snapshots for the request in {Folder} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string folder);
}
