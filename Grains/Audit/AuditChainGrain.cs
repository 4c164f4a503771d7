using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Audit;

/// <summary>
/// Head of a trail written by an earlier version in grain-state segments (now read only, by
/// <see cref="LegacyAuditImporter"/>). That writer wrote a segment, then the head: a crash in between left records the
/// head did not know, so activation adopts them (from the current segment or, after a roll-over, the next one).
/// </summary>
public sealed partial class AuditChainGrain(
    [PersistentState("auditChain", StorageProviders.Archive)] IPersistentState<AuditChainState> state,
    ILogger<AuditChainGrain> logger)
    : Grain, IAuditChainGrain
{
    private long _lastSequence;
    private string _lastHash = AuditCanonicalForm.GenesisHash;
    private long _currentSegment;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastSequence = state.State.LastSequence;
        _lastHash = state.State.LastHash;
        _currentSegment = state.State.CurrentSegment;
        for (var segmentNumber = state.State.CurrentSegment; segmentNumber <= state.State.CurrentSegment + 1; segmentNumber++)
        {
            var records = await GrainFactory.GetGrain<IAuditSegmentGrain>(segmentNumber).GetRecordsAsync();
            if (records.Count > 0 && records[^1].Sequence > _lastSequence)
            {
                LogHeadRecovered(logger, _lastSequence, records[^1].Sequence);
                _lastSequence = records[^1].Sequence;
                _lastHash = records[^1].Hash;
                _currentSegment = segmentNumber;
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<AuditChainHead> GetHeadAsync() =>
        Task.FromResult(new AuditChainHead(_lastSequence, _lastHash, _lastSequence == 0 ? 0 : _currentSegment + 1));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Former audit chain head recovered from segment: {From} -> {To}")]
    private static partial void LogHeadRecovered(ILogger logger, long from, long to);
}
