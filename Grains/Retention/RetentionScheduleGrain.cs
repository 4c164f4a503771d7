using Mirc.Grains.Storage;

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
        if (all.TryGetValue(establishmentId, out var entry) && entry.FirstDay <= dayNumber)
        {
            return;
        }

        all[establishmentId] = entry is null
            ? new RetentionScheduleEntry { EstablishmentId = establishmentId, FirstDay = dayNumber }
            : entry with { FirstDay = dayNumber, SweptThrough = Math.Min(entry.SweptThrough, dayNumber - 1) };
        await _state.WriteStateAsync();
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
            await _state.WriteStateAsync();
        }
    }
}
