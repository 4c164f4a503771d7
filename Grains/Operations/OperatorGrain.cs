using Mirc.Grains.Audit;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Orleans.Concurrency;

namespace Mirc.Grains.Operations;

/// <summary>Runs operator commands on a silo, where the audit trail service lives.</summary>
[StatelessWorker(1)]
public sealed class OperatorGrain(IAuditTrail audit, SecurityClock time, QueryIndexRebuilder rebuilder) : Grain, IOperatorGrain
{
    /// <summary>Who the audit trail names for operator commands.</summary>
    public static ProfessionalPrincipal Operator { get; } = new()
    {
        Subject = "operator:mirc-admin",
        EstablishmentId = "",
        Roles = MircRoles.PlatformAdmin,
        AuthenticationMethod = "silo-console",
    };

    /// <inheritdoc />
    public async Task<AuditVerification> VerifyAuditAsync()
    {
        var result = await audit.VerifyAsync();
        await audit.RecordAsync(Operator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(),
            detail: $"audit chain verified from the admin command: intact={result.IsIntact}"));
        return result;
    }

    /// <inheritdoc />
    public async Task<ReindexProgress> ReindexAsync(long cursor, int maxStudies)
    {
        var progress = await rebuilder.RebuildAsync(cursor, Math.Clamp(maxStudies, 1, 10_000));
        if (cursor == 0)
        {
            await audit.RecordAsync(Operator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(),
                detail: "query index rebuild from the change feed started by the admin command"));
        }

        return progress;
    }

    /// <inheritdoc />
    public async Task<ChangeFeedBackfillReport> BackfillChangeFeedAsync()
    {
        var report = await GrainFactory.Reference<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key).BackfillAsync();
        await audit.RecordAsync(Operator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(),
            detail: $"change feed backfilled by the admin command: {report.StudiesAppended} of {report.StudiesScanned} stored studies were missing, {report.EventsAppended} Create events appended"));
        return report;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ChangeFeedFollowerStatusAsync()
    {
        var status = await GrainFactory.Reference<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key).GetStatusAsync();
        return [.. status.Checkpoints.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{p.Key} at {p.Value} of {status.Head} (lag {Math.Max(0, status.Head - p.Value)})"))];
    }
}
