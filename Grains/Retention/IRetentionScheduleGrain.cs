using Orleans.Concurrency;

namespace Mirc.Grains.Retention;

/// <summary>
/// Region-wide list of establishments holding studies, with the first day that has a retention bucket and the day
/// through which the sweep has deleted everything (single instance, key <see cref="RetentionKeys.Schedule"/>).
/// Written only when an establishment appears, an older day shows up, or a sweep advances.
/// </summary>
[Alias("mirc.IRetentionScheduleGrain")]
public interface IRetentionScheduleGrain : IGrainWithStringKey
{
    /// <summary>Notes that <paramref name="establishmentId"/> has a study first received on <paramref name="dayNumber"/> (<see cref="DateOnly.DayNumber"/>).</summary>
    [Alias("Note")]
    Task NoteAsync(string establishmentId, int dayNumber);

    /// <summary>Every establishment's schedule.</summary>
    [Alias("GetAll")]
    [ReadOnly]
    Task<IReadOnlyList<RetentionScheduleEntry>> GetAllAsync();

    /// <summary>Records that every bucket of <paramref name="establishmentId"/> up to <paramref name="dayNumber"/> was swept.</summary>
    [Alias("MarkSwept")]
    Task MarkSweptAsync(string establishmentId, int dayNumber);
}
