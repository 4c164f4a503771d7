using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Observability;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Orphans;

/// <summary>
/// Deletes instance blobs no study manifest references — left by a crash between the blob write and the manifest
/// commit, or by an undo that failed — once they are older than <see cref="OrphanSweepOptions.GracePeriod"/>, and the
/// staging container's leftovers of the same age. Never deleted: a blob its study's manifest references (asked per
/// study, in bounded batches), a blob an ingest journal slot still names (start-up reconciliation registers those), the
/// blobs of a deleted study (its own purge's job, audited with a reason), a name outside the instance layout, and a blob
/// rewritten since it was listed (deleted only if its version is still the listed one).
/// With two sites the deletion goes through the replicated store, so the second site's copy goes too; a blob only the
/// second site holds is not listed here (nor by the replica scrubber, which compares manifest entries only).
/// </summary>
public sealed partial class OrphanSweep
{
    /// <summary>Actor recorded for the sweep's deletions.</summary>
    public const string Actor = "system:orphan-sweep";

    private const string JournalPrefix = "journal/";
    private const int ReportedKeys = 20;
    private readonly IBlobStore _blobs;
    private readonly InstanceBlobLayout _layout;
    private readonly IGrainFactory _grains;
    private readonly IAuditTrail _audit;
    private readonly OrphanSweepOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<OrphanSweep> _logger;

    /// <summary>Creates the sweep.</summary>
    public OrphanSweep(IBlobStore blobs, InstanceBlobLayout layout, IGrainFactory grains, IAuditTrail audit, IOptions<OrphanSweepOptions> options,
        TimeProvider clock, ILogger<OrphanSweep> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _blobs = blobs;
        _layout = layout;
        _grains = grains;
        _audit = audit;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>One pass over every instance container and the staging container.</summary>
    public async Task<OrphanSweepReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _clock.GetUtcNow() - _options.GracePeriod;
        var journaled = await ReadJournaledKeysAsync(cancellationToken).ConfigureAwait(false);
        var tally = new Tally();
        foreach (var container in _layout.InstanceContainers)
        {
            var batch = new List<BlobProperties>();
            await foreach (var blob in _blobs.ListAsync(container, null, cancellationToken).ConfigureAwait(false))
            {
                if (tally.Deleted >= _options.MaxDeletionsPerSweep) break;
                if (blob.LastModified > cutoff || InstanceBlobLayout.StudyUidOf(blob.Key.Name) is null) continue;
                batch.Add(blob);
                if (batch.Count < _options.BatchSize) continue;
                await SweepBatchAsync(batch, journaled, tally, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            if (batch.Count > 0 && tally.Deleted < _options.MaxDeletionsPerSweep)
                await SweepBatchAsync(batch, journaled, tally, cancellationToken).ConfigureAwait(false);
        }

        await SweepStagingAsync(cutoff, journaled, tally, cancellationToken).ConfigureAwait(false);
        var report = new OrphanSweepReport(tally.Examined, tally.Deleted, tally.Journaled, tally.StagingDeleted);
        LogReport(_logger, report.Examined, report.Deleted, report.Journaled, report.StagingDeleted, _options.DryRun);
        if (!_options.DryRun && report.Deleted + report.StagingDeleted > 0)
        {
            await _audit.RecordAsync(new AuditEvent
            {
                Timestamp = _clock.GetUtcNow(),
                Action = AuditAction.OrphanSweep,
                Outcome = AuditOutcome.Success,
                ActorId = Actor,
                Detail = $"orphan sweep (grace {_options.GracePeriod}): {report.Deleted} unreferenced instance blobs and {report.StagingDeleted} staging " +
                    $"leftovers deleted, {report.Examined} examined, {report.Journaled} kept for reconciliation: {string.Join(", ", tally.Keys)}",
            }, cancellationToken).ConfigureAwait(false);
            await _audit.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    private async Task SweepBatchAsync(List<BlobProperties> batch, HashSet<BlobKey> journaled, Tally tally, CancellationToken cancellationToken)
    {
        foreach (var study in batch.GroupBy(b => InstanceBlobLayout.StudyUidOf(b.Key.Name)!, StringComparer.Ordinal))
        {
            var grain = _grains.Reference<IStudyGrain>(study.Key);
            // A deleted study's manifest reads empty: its blobs are its purge's to delete (with the erasure's reason).
            if ((await grain.GetSummaryAsync().ConfigureAwait(false)).Status == StudyStatus.Deleted) continue;
            var referenced = (await grain.GetInstancesAsync().ConfigureAwait(false))
                .Select(e => new BlobKey(e.BlobContainer, e.BlobName)).ToHashSet();
            foreach (var blob in study)
            {
                tally.Examined++;
                if (referenced.Contains(blob.Key)) continue;
                if (journaled.Contains(blob.Key))
                {
                    tally.Journaled++;
                    continue;
                }

                if (tally.Deleted >= _options.MaxDeletionsPerSweep) return;
                if (await DeleteAsync(blob, cancellationToken).ConfigureAwait(false))
                {
                    tally.Deleted++;
                    tally.Note(blob.Key);
                    ArchiveMetrics.OrphanDeleted("instances");
                }
            }
        }
    }

    private async Task SweepStagingAsync(DateTimeOffset cutoff, HashSet<BlobKey> journaled, Tally tally, CancellationToken cancellationToken)
    {
        await foreach (var blob in _blobs.ListAsync(_layout.StagingContainer, null, cancellationToken).ConfigureAwait(false))
        {
            if (tally.Deleted + tally.StagingDeleted >= _options.MaxDeletionsPerSweep) return;
            // Staged uploads only: journal slots and failed-undo records are the reconciler's, whatever their age.
            if (blob.LastModified > cutoff || !InstanceBlobLayout.IsStagedUpload(blob.Key.Name)) continue;
            // An intent's staged data, whose promotion the reconciliation may still have to finish.
            if (journaled.Contains(blob.Key))
            {
                tally.Journaled++;
                continue;
            }

            if (await DeleteAsync(blob, cancellationToken).ConfigureAwait(false))
            {
                tally.StagingDeleted++;
                tally.Note(blob.Key);
                ArchiveMetrics.OrphanDeleted("staging");
            }
        }
    }

    private async Task<bool> DeleteAsync(BlobProperties blob, CancellationToken cancellationToken)
    {
        if (_options.DryRun) return true;
        // Only the version listed: a blob written again since then (a new ingest under the same UIDs) stays.
        return await _blobs.DeleteVersionAsync(blob.Key, blob.ETag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Final keys and staged uploads named by any ingest journal slot, this silo's included (an ingest it has in flight).</summary>
    private async Task<HashSet<BlobKey>> ReadJournaledKeysAsync(CancellationToken cancellationToken)
    {
        var keys = new HashSet<BlobKey>();
        await foreach (var slot in _blobs.ListAsync(_layout.StagingContainer, JournalPrefix, cancellationToken).ConfigureAwait(false))
        {
            var content = await _blobs.TryReadAllAsync(slot.Key, cancellationToken).ConfigureAwait(false);
            if (content is null) continue;
            try
            {
                foreach (var record in JsonSerializer.Deserialize(content.Content.Span, IngestJournalJson.Default.IngestJournalRecordArray) ?? [])
                {
                    keys.Add(new BlobKey(record.FinalContainer, record.FinalName));
                    if (record.StagedName is { } staged) keys.Add(new BlobKey(_layout.StagingContainer, staged));
                }
            }
            catch (JsonException)
            {
                // A slot torn by a crash held intents whose blobs were not promoted yet (see IngestJournal).
            }
        }

        return keys;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orphan sweep: {Examined} old blobs examined, {Deleted} unreferenced deleted, {Journaled} kept for reconciliation, {StagingDeleted} staging leftovers deleted (dry run: {DryRun})")]
    private static partial void LogReport(ILogger logger, int examined, int deleted, int journaled, int stagingDeleted, bool dryRun);

    private sealed class Tally
    {
        public int Examined { get; set; }

        public int Deleted { get; set; }

        public int Journaled { get; set; }

        public int StagingDeleted { get; set; }

        public List<string> Keys { get; } = [];

        public void Note(BlobKey key)
        {
            if (Keys.Count < ReportedKeys) Keys.Add(key.ToString());
        }
    }
}
