using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Security;

/// <summary>Durations of care relationships (section <c>Mirc:Security</c>).</summary>
public sealed class CareRelationshipOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Security";

    /// <summary>How long a declared care relationship grants access.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "730.00:00:00")]
    public TimeSpan CareRelationshipDuration { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a break-the-glass access lasts.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan BreakTheGlassDuration { get; set; } = TimeSpan.FromHours(12);
}
