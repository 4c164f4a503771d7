using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// The end of an acknowledged store whose manifest write, or whose new patient's record, was still to come (the study
/// grain answers once the instance's change-feed events are committed, see <see cref="IStudyGrain.AddInstanceAsync"/>;
/// the patient record is written while the instance is registered): its durable intent stays in the journal until both
/// are durable, so a crash meanwhile is repaired by the reconciliation at the next start, which registers the instance
/// and resolves its patient again.
/// </summary>
public sealed partial class InstanceIngestor
{
    // A failed manifest or patient record write is retried a few times (a full disk, a storage hiccup): the instance
    // registered again, the patient resolved again; after that the intent is left to the reconciliation of the next start,
    // which does both idempotently.
    private const int WriteBehindRetries = 5;
    private static readonly TimeSpan WriteBehindRetryDelay = TimeSpan.FromMilliseconds(200);

    private void CompleteIntentWhenDurable(StoredInstance stored, string regional, Task manifestWritten, Task identityRecorded, IngestJournalTicket ticket)
    {
        if (manifestWritten.IsCompletedSuccessfully && identityRecorded.IsCompletedSuccessfully)
        {
            _journal.Complete(ticket);
            return;
        }

        _ = CompleteIntentWhenDurableAsync(stored, regional, manifestWritten, identityRecorded, ticket);
    }

    private async Task CompleteIntentWhenDurableAsync(StoredInstance stored, string regional, Task manifestWritten, Task identityRecorded, IngestJournalTicket ticket)
    {
        var manifest = WithRetriesAsync(stored, "manifest", manifestWritten, () => RegisterAgainAsync(stored, regional));
        var patient = WithRetriesAsync(stored, "patient record", identityRecorded, () => RecordPatientAgainAsync(stored));
        if (await manifest.ConfigureAwait(false) & await patient.ConfigureAwait(false))
        {
            _journal.Complete(ticket);
        }
    }

    /// <summary>Awaits <paramref name="write"/>, redoing it after a failure; false when it kept failing.</summary>
    private async Task<bool> WithRetriesAsync(StoredInstance stored, string what, Task write, Func<Task<Task>> again)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write.ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (attempt <= WriteBehindRetries)
            {
                LogWriteBehindRetried(_logger, ex, what, stored.SopInstanceUid, attempt);
            }
            catch (Exception ex)
            {
                LogWriteBehindLeftToReconciliation(_logger, ex, what, stored.SopInstanceUid);
                return false;
            }

            await Task.Delay(WriteBehindRetryDelay * attempt, _clock).ConfigureAwait(false);
            write = await again().ConfigureAwait(false);
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

    /// <summary>The patient resolved once more (its link is durable: the same patient), its record written durably.</summary>
    private Task<Task> RecordPatientAgainAsync(StoredInstance stored) =>
        Task.FromResult<Task>(_patients.ResolveAsync(stored.LocalPatientId, stored.Header.Ins, stored.Demographics));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {What} write of acknowledged instance {SopUid} failed (attempt {Attempt}); writing it again")]
    private static partial void LogWriteBehindRetried(ILogger logger, Exception exception, string what, string sopUid, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {What} write of acknowledged instance {SopUid} kept failing; its durable intent stays for the reconciliation at the next start")]
    private static partial void LogWriteBehindLeftToReconciliation(ILogger logger, Exception exception, string what, string sopUid);
}
