using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Establishments;

/// <summary>AE title cache settings, section <c>Mirc:Archive:AeTitles</c>.</summary>
public sealed class AeTitleResolverOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Archive:AeTitles";

    /// <summary>How long a resolved (or unknown) AE title is served from the local cache.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
