using Mirc.Bench.Cli;

namespace Mirc.Bench.Scaling;

/// <summary>What the <c>retrieve-scaling</c> subcommand is told on its command line.</summary>
public sealed class ScalingOptions
{
    /// <summary>The archive driven: DIMSE peer and optional DICOMweb root.</summary>
    public ArchiveEndpoints Archive { get; } = new();

    /// <summary>Study sizes in instances, ascending and distinct.</summary>
    public IReadOnlyList<int> Sizes { get; set; } = [10, 100, 1000, 5000];

    /// <summary>Measured retrievals of each study per protocol.</summary>
    public int Repeat { get; set; } = 3;

    /// <summary>Parallel associations storing each study (not measured).</summary>
    public int Associations { get; set; } = 4;

    /// <summary>Whether one unmeasured retrieval per protocol precedes the first measured one (the server's JIT warms up).</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Salt of generated UIDs, so two runs against one archive do not collide.</summary>
    public string Seed { get; set; } = "1";

    /// <summary>Folder for <c>retrieve-scaling.json</c> and <c>retrieve-scaling.md</c>; null writes nothing.</summary>
    public string? OutFolder { get; set; }

    /// <summary>Seconds after which one request (one C-STORE, one whole retrieval) is abandoned.</summary>
    public int TimeoutSeconds { get; set; } = 600;
}
