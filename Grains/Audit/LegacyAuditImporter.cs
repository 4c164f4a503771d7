using Microsoft.Extensions.Logging;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// Moves a trail written by an earlier version (records in grain-state segments of up to <c>Mirc:Audit:SegmentSize</c>
/// records, head in the chain grain) into the <see cref="IAuditStore"/>, records and hashes unchanged, so the chain and
/// its verification continue across the upgrade. Idempotent: only records after the store's head are added; once the
/// store has caught up the old segments are not read again. The old state is left in place (read-only).
/// </summary>
public sealed partial class LegacyAuditImporter(IGrainFactory grains, IAuditStore store, ILogger<LegacyAuditImporter> logger)
{
    /// <summary>Imports what the store lacks; returns the number of records added.</summary>
    public async Task<long> ImportAsync(CancellationToken cancellationToken)
    {
        var legacyHead = await grains.Reference<IAuditChainGrain>(IAuditChainGrain.SingletonKey).GetHeadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var head = await store.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (legacyHead.LastSequence <= head.LastSequence)
        {
            return 0;
        }

        long added = 0;
        for (long segment = 0; segment < legacyHead.SegmentCount; segment++)
        {
            var records = await grains.GetGrain<IAuditSegmentGrain>(segment).GetRecordsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (records.Count == 0 || records[^1].Sequence <= head.LastSequence)
            {
                continue;
            }

            added += await store.ImportAsync(records, cancellationToken).ConfigureAwait(false);
            head = await store.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        }

        LogImported(logger, added, head.LastSequence, legacyHead.LastSequence);
        return added;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit trail migrated from grain-state segments: {Added} record(s) imported, store head {Head}, former head {LegacyHead}")]
    private static partial void LogImported(ILogger logger, long added, long head, long legacyHead);
}
