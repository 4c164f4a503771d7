using Mirc.Grains.Interfaces.Security;
using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Consent;

/// <summary>
/// A patient's consent (key: regional patient id) with its full history. Changes are authorized (roles allowed to
/// manage consent) and audited by the grain; a change applies to every later decision, nothing caches it elsewhere.
/// </summary>
[Alias("mirc.IConsentGrain")]
public interface IConsentGrain : IGrainWithStringKey
{
    /// <summary>Current consent, with the deployment policy.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ConsentSnapshot> GetAsync();

    /// <summary>Records a change on behalf of the patient and returns the new consent.</summary>
    /// <exception cref="UnauthorizedAccessException">The principal may not manage consent.</exception>
    /// <exception cref="ArgumentException">Missing reason or establishment.</exception>
    [Alias("Change")]
    Task<ConsentSnapshot> ChangeAsync(ProfessionalPrincipal principal, ConsentChangeRequest request);

    /// <summary>Full history, oldest first.</summary>
    [Alias("GetHistory")]
    [ReadOnly]
    Task<IReadOnlyList<ConsentChange>> GetHistoryAsync();
}
