using Mirc.Grains.Audit;
using Mirc.Grains.ChangeFeed;
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
}
