using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Retention;

/// <summary><see cref="IRetentionScheduleGrain"/>: one small record per establishment.</summary>
public sealed class RetentionScheduleGrain : Grain, IRetentionScheduleGrain
{
    private readonly IPersistentState<RetentionScheduleState> _state;

    /// <summary>Creates the grain.</summary>
    public RetentionScheduleGrain([PersistentState("retention-schedule", StorageProviders.Archive)] IPersistentState<RetentionScheduleState> state) =>
        _state = state;

    /// <inheritdoc />
    public async Task NoteAsync(string establishmentId, int dayNumber)
    {
        var all = _state.State.Establishments;
        if (!all.TryGetValue(establishmentId, out var entry))
        {
            all[establishmentId] = new RetentionScheduleEntry { EstablishmentId = establishmentId, FirstDay = dayNumber, LastDay = dayNumber };
        }
        else if (entry.FirstDay <= dayNumber && (entry.LastDay is null || entry.LastDay >= dayNumber) && entry.SweptThrough < dayNumber)
        {
            return;
        }
        else
        {
            // A day at or before the swept mark (the clock went back) is swept again; an unknown last day stays unknown.
            all[establishmentId] = entry with
            {
                FirstDay = Math.Min(entry.FirstDay, dayNumber),
                LastDay = entry.LastDay is { } last ? Math.Max(last, dayNumber) : null,
                SweptThrough = Math.Min(entry.SweptThrough, dayNumber - 1),
            };
        }

        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RetentionScheduleEntry>> GetAllAsync() =>
        Task.FromResult<IReadOnlyList<RetentionScheduleEntry>>([.. _state.State.Establishments.Values]);

    /// <inheritdoc />
    public async Task MarkSweptAsync(string establishmentId, int dayNumber)
    {
        if (_state.State.Establishments.TryGetValue(establishmentId, out var entry) && entry.SweptThrough < dayNumber)
        {
            _state.State.Establishments[establishmentId] = entry with { SweptThrough = dayNumber };
            await _state.WriteOrResetAsync(DeactivateOnIdle);
        }
    }
}
