namespace Mirc.Grains.Interfaces.Audit;

/// <summary>Outcome of the audited operation (maps to the ATNA EventOutcomeIndicator).</summary>
public enum AuditOutcome
{
    /// <summary>Succeeded (ATNA 0).</summary>
    Success = 0,

    /// <summary>Refused by the authorization decision or authentication (ATNA 4, minor failure).</summary>
    Denied = 4,

    /// <summary>Failed for another reason (ATNA 8, serious failure).</summary>
    Failure = 8,
}
