using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Security;

/// <summary>
/// The care relationships of one professional (key: <see cref="ProfessionalPrincipal.ProfessionalId"/>).
/// Declaring enforces the role rule and writes the audit record; the caller must be that professional.
/// </summary>
[Alias("mirc.ICareRelationshipGrain")]
public interface ICareRelationshipGrain : IGrainWithStringKey
{
    /// <summary>Declares (or renews) a care relationship with <paramref name="patientId"/> for the configured duration.</summary>
    /// <exception cref="UnauthorizedAccessException">The principal is not this professional or lacks a clinical role.</exception>
    /// <exception cref="ArgumentException">The reason is empty.</exception>
    [Alias("Declare")]
    Task<CareRelationship> DeclareAsync(ProfessionalPrincipal principal, string patientId, string reason, string? source);

    /// <summary>Emergency access to <paramref name="patientId"/> without a prior care relationship; flagged for review.</summary>
    /// <exception cref="UnauthorizedAccessException">The principal is not this professional or lacks a clinical role.</exception>
    /// <exception cref="ArgumentException">The emergency reason is empty.</exception>
    [Alias("BreakTheGlass")]
    Task<CareRelationship> BreakTheGlassAsync(ProfessionalPrincipal principal, string patientId, string emergencyReason, string? source);

    /// <summary>The active relationship with <paramref name="patientId"/>, or null.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<CareRelationship?> GetAsync(string patientId);

    /// <summary>All active relationships (used to scope queries).</summary>
    [Alias("GetActive")]
    [ReadOnly]
    Task<IReadOnlyList<CareRelationship>> GetActiveAsync();

    /// <summary>Ends the relationship with <paramref name="patientId"/> now.</summary>
    [Alias("End")]
    Task EndAsync(ProfessionalPrincipal principal, string patientId, string? source);
}
