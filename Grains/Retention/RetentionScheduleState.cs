namespace Mirc.Grains.Retention;

/// <summary>Persistent state of the retention schedule.</summary>
[GenerateSerializer, Alias("mirc.RetentionScheduleState")]
public sealed class RetentionScheduleState
{
    /// <summary>Per establishment id.</summary>
    [Id(0)] public Dictionary<string, RetentionScheduleEntry> Establishments { get; set; } = new(StringComparer.Ordinal);
}
