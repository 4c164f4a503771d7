using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Orleans.Concurrency;

namespace Mirc.Grains.Operations;

/// <summary>Runs operator commands on a silo, where the audit trail service lives.</summary>
[StatelessWorker(1)]
public sealed class OperatorGrain(IAuditTrail audit, SecurityClock time) : Grain, IOperatorGrain
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
}
