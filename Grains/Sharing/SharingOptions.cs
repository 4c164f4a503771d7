using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Sharing;

/// <summary>Push of studies to recipient AEs (section <c>Mirc:Sharing</c>).</summary>
public sealed class SharingOptions
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

    /// <summary>The lease as a time span.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
