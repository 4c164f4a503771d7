using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Sharing;

/// <summary>Push of studies to recipient AEs (section <c>Mirc:Sharing</c>).</summary>
public sealed class SharingOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Sharing";

    /// <summary>Calling AE title of our pushes; defaults to the archive's own AE title (<c>Mirc:Dicom:AeTitle</c>).</summary>
    [Required, StringLength(16, MinimumLength = 1)]
    public string CallingAeTitle { get; set; } = "MIRC";

    /// <summary>Shares pushed at the same time by one host (each is one association).</summary>
    [Range(1, 64)]
    public int MaxConcurrentShares { get; set; } = 2;

    /// <summary>How long a worker holds a share without reporting before another worker may take it over.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>Progress is saved after this many instances (or every few seconds, whichever comes first).</summary>
    [Range(1, 100_000)]
    public int ProgressEvery { get; set; } = 100;

    /// <summary>Wait before the first retry of a share whose recipient could not be reached; doubled at each further attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between two retries; also the period of the share's reminder (a reminder period: at least a minute).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long after the request an unreachable recipient is still retried; past it the share fails for good.
    /// Zero: no retry, the first unreachable attempt fails the share.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RetryHorizon { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The lease as a time span.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    /// <summary>The wait before retry number <paramref name="attempt"/> (1 = first retry): doubling, capped at <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var doublings = Math.Clamp(attempt - 1, 0, 30);
        var delay = RetryInitialDelay.TotalSeconds * Math.Pow(2, doublings);
        return delay >= RetryMaxDelay.TotalSeconds ? RetryMaxDelay : TimeSpan.FromSeconds(delay);
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxDelay < RetryInitialDelay)
            yield return new ValidationResult("RetryMaxDelay must not be shorter than RetryInitialDelay.", [nameof(RetryMaxDelay), nameof(RetryInitialDelay)]);
    }
}
