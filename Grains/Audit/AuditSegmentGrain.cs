using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Audit;

/// <summary>One block of consecutive records of a trail written by an earlier version (read only, for migration).</summary>
public sealed class AuditSegmentGrain(
    [PersistentState("auditSegment", StorageProviders.Archive)] IPersistentState<AuditSegmentState> state)
    : Grain, IAuditSegmentGrain
{
    /// <inheritdoc />
    public Task<IReadOnlyList<AuditRecord>> GetRecordsAsync() => Task.FromResult<IReadOnlyList<AuditRecord>>(state.State.Records.ToArray());
}
