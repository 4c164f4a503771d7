using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// The end of an acknowledged store whose manifest write was still to come (the study grain answers once the instance's
/// change-feed events are committed, see <see cref="IStudyGrain.AddInstanceAsync"/>): its durable intent stays in the
/// journal until the manifest write ends, so a crash meanwhile is repaired by the reconciliation at the next start.
/// </summary>
public sealed partial class InstanceIngestor
{
    // A failed manifest write is retried by registering the instance again a few times (a full disk, a storage hiccup);
    // after that the intent is left to the reconciliation of the next start, which registers it idempotently.
    private const int ManifestRetries = 5;
    private static readonly TimeSpan ManifestRetryDelay = TimeSpan.FromMilliseconds(200);

    private void CompleteIntentWhenWritten(StoredInstance stored, string regional, Task manifestWritten, IngestJournalTicket ticket)
    {
        if (manifestWritten.IsCompletedSuccessfully)
        {
            _journal.Complete(ticket);
            return;
        }

        _ = CompleteIntentWhenWrittenAsync(stored, regional, manifestWritten, ticket);
    }

    private async Task CompleteIntentWhenWrittenAsync(StoredInstance stored, string regional, Task manifestWritten, IngestJournalTicket ticket)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await manifestWritten.ConfigureAwait(false);
                _journal.Complete(ticket);
                return;
            }
            catch (Exception ex) when (attempt <= ManifestRetries)
            {
                LogManifestWriteRetried(_logger, ex, stored.SopInstanceUid, attempt);
            }
            catch (Exception ex)
            {
                LogManifestWriteLeftToReconciliation(_logger, ex, stored.SopInstanceUid);
                return;
            }

            await Task.Delay(ManifestRetryDelay * attempt, _clock).ConfigureAwait(false);
            manifestWritten = await RegisterAgainAsync(stored, regional).ConfigureAwait(false);
        }
    }

    /// <summary>The instance's registration once more (idempotent); its manifest write, or why it cannot be.</summary>
    private async Task<Task> RegisterAgainAsync(StoredInstance stored, string regional)
    {
        try
        {
            var (result, _, written) = await _registrar.RegisterAsync(stored, regional, CancellationToken.None).ConfigureAwait(false);
            return result.Status is AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored
                ? written
                : Task.FromException(new InvalidOperationException($"The study refused the instance again ({result.Status})."));
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The manifest write of acknowledged instance {SopUid} failed (attempt {Attempt}); registering it again")]
    private static partial void LogManifestWriteRetried(ILogger logger, Exception exception, string sopUid, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "The manifest write of acknowledged instance {SopUid} kept failing; its durable intent stays for the reconciliation at the next start")]
    private static partial void LogManifestWriteLeftToReconciliation(ILogger logger, Exception exception, string sopUid);
}
