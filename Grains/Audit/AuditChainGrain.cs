using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Audit;

/// <summary>
/// Single writer of the chain: numbers, links and hashes each batch, appends it to the current segment, then moves
/// the head. Segment first, head second: after a crash in between, activation adopts the records the segment holds.
/// </summary>
public sealed partial class AuditChainGrain(
    [PersistentState("auditChain", StorageProviders.Archive)] IPersistentState<AuditChainState> state,
    IOptions<AuditOptions> options,
    ILogger<AuditChainGrain> logger)
    : Grain, IAuditChainGrain
{
    private readonly int _segmentSize = options.Value.SegmentSize;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A crash between the segment write and the head write leaves records the head does not know: adopt them
        // (they may sit in the current segment or, after a roll-over, in the next one).
        for (var segmentNumber = state.State.CurrentSegment; segmentNumber <= state.State.CurrentSegment + 1; segmentNumber++)
        {
            var records = await GrainFactory.GetGrain<IAuditSegmentGrain>(segmentNumber).GetRecordsAsync();
            if (records.Count > 0 && records[^1].Sequence > state.State.LastSequence)
            {
                LogHeadRecovered(logger, state.State.LastSequence, records[^1].Sequence);
                state.State.LastSequence = records[^1].Sequence;
                state.State.LastHash = records[^1].Hash;
                state.State.CurrentSegment = segmentNumber;
                state.State.CurrentSegmentCount = records.Count;
                await state.WriteStateAsync(cancellationToken);
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events)
    {
        var offset = 0;
        try
        {
            while (offset < events.Count)
            {
                if (state.State.CurrentSegmentCount >= _segmentSize)
                {
                    state.State.CurrentSegment++;
                    state.State.CurrentSegmentCount = 0;
                }

                var take = Math.Min(events.Count - offset, _segmentSize - state.State.CurrentSegmentCount);
                var records = new AuditRecord[take];
                var sequence = state.State.LastSequence;
                var previous = state.State.LastHash;
                for (var i = 0; i < take; i++)
                {
                    var record = AuditCanonicalForm.Seal(++sequence, Sanitize(events[offset + i]), previous);
                    records[i] = record;
                    previous = record.Hash;
                }

                await GrainFactory.GetGrain<IAuditSegmentGrain>(state.State.CurrentSegment).AppendAsync(records);
                state.State.LastSequence = sequence;
                state.State.LastHash = previous;
                state.State.CurrentSegmentCount += take;
                await state.WriteStateAsync();
                offset += take;
            }
        }
        catch
        {
            // In-memory head may be ahead of or behind storage: re-activate to re-derive it from storage.
            DeactivateOnIdle();
            throw;
        }

        return Head();
    }

    /// <inheritdoc />
    public Task<AuditChainHead> GetHeadAsync() => Task.FromResult(Head());

    private AuditChainHead Head() => new(
        state.State.LastSequence,
        state.State.LastHash,
        state.State.LastSequence == 0 ? 0 : state.State.CurrentSegment + 1);

    private static AuditEvent Sanitize(AuditEvent e) =>
        e with { Detail = AuditDetailScrubber.Scrub(e.Detail), Timestamp = e.Timestamp.ToUniversalTime() };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit chain head recovered from segment: {From} -> {To}")]
    private static partial void LogHeadRecovered(ILogger logger, long from, long to);
}
