using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Interfaces.Operations;

/// <summary>
/// Operator commands that need silo-side services (the <c>admin</c> subcommands of the silo executable call it through
/// the Orleans gateway). Key: 0.
/// </summary>
[Alias("mirc.IOperatorGrain")]
public interface IOperatorGrain : IGrainWithIntegerKey
{
    /// <summary>Re-checks the whole audit hash chain (the verification itself is audited).</summary>
    [Alias("VerifyAudit")]
    Task<AuditVerification> VerifyAuditAsync();
}
