using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Audit;

/// <summary>One block of consecutive audit records, persisted in the archive grain-state provider.</summary>
public sealed class AuditSegmentGrain(
    [PersistentState("auditSegment", StorageProviders.Archive)] IPersistentState<AuditSegmentState> state)
    : Grain, IAuditSegmentGrain
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditRecord> records)
    {
        var before = state.State.Records.Count;
        state.State.Records.AddRange(records);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Keep memory equal to storage: the chain grain retries the same records.
            state.State.Records.RemoveRange(before, state.State.Records.Count - before);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditRecord>> GetRecordsAsync() => Task.FromResult<IReadOnlyList<AuditRecord>>(state.State.Records.ToArray());
}
