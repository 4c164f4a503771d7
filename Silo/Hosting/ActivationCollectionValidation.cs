using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed.Follower;

namespace Mirc.Silo.Hosting;

/// <summary>
/// Start-up check of <see cref="ActivationCollectionOptions"/>: Orleans refuses an idle age not longer than the
/// collection quantum (with an exception naming its own option), so the same rule is stated here with our setting names.
/// The running change-feed follower reads each new study's grain and its patient's once the study's events are settled:
/// it must get there before those activations are collected, or it activates them again from storage.
/// </summary>
public sealed class ActivationCollectionValidation(ChangeFeedFollowerOptions follower) : IValidateOptions<ActivationCollectionOptions>
{
    private static readonly TimeSpan LongestQuantum = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ActivationCollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.CollectionQuantum <= TimeSpan.Zero || options.CollectionQuantum > LongestQuantum)
        {
            failures.Add($"{ActivationCollectionOptions.Section}:CollectionQuantum must be between 00:00:00 and 01:00:00 (exclusive of zero), not {options.CollectionQuantum}");
        }

        if (options.LocatorCacheSize is < 1_000 or > 10_000_000)
        {
            failures.Add($"{ActivationCollectionOptions.Section}:LocatorCacheSize must be between 1000 and 10000000, not {options.LocatorCacheSize}");
        }

        foreach (var (setting, age) in IdleAges(options))
        {
            if (age <= options.CollectionQuantum)
            {
                failures.Add($"{ActivationCollectionOptions.Section}:{setting} ({age}) must be longer than {ActivationCollectionOptions.Section}:CollectionQuantum ({options.CollectionQuantum})");
            }
        }

        var projectedWithin = follower.SettleDelay + follower.PollInterval;
        var shortest = options.StudyIdleAge < options.PatientIdleAge ? options.StudyIdleAge : options.PatientIdleAge;
        if (follower.Enabled && projectedWithin >= shortest)
        {
            failures.Add($"{ChangeFeedFollowerOptions.Section}:SettleDelay + PollInterval ({projectedWithin}) must be shorter than "
                + $"{ActivationCollectionOptions.Section}:StudyIdleAge and PatientIdleAge ({shortest}): the follower would activate every new study's grains again");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<(string Setting, TimeSpan Age)> IdleAges(ActivationCollectionOptions options) =>
    [
        (nameof(options.DefaultIdleAge), options.DefaultIdleAge),
        (nameof(options.StudyIdleAge), options.StudyIdleAge),
        (nameof(options.PatientIdleAge), options.PatientIdleAge),
        (nameof(options.IdentityIdleAge), options.IdentityIdleAge),
    ];
}
