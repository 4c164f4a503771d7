namespace Mirc.Grains.Interfaces.Audit;

/// <summary>
/// The single writer of the audit chain (key <see cref="SingletonKey"/>): numbers and hashes batches of events and
/// appends them to segments. Call through <see cref="IAuditTrail"/>, not directly.
/// </summary>
[Alias("mirc.IAuditChainGrain")]
public interface IAuditChainGrain : IGrainWithStringKey
{
    /// <summary>The one key.</summary>
    const string SingletonKey = "region";

    /// <summary>Appends a batch (group commit); returns the head after it.</summary>
    [Alias("Append")]
    Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events);

    /// <summary>The current head.</summary>
    [Alias("GetHead")]
    Task<AuditChainHead> GetHeadAsync();
}
