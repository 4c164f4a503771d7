using Mirc.Bench.Cli;

namespace Mirc.Bench.Memory;

/// <summary>What the <c>memory</c> subcommand is told on its command line.</summary>
public sealed class MemoryOptions
{
    /// <summary>Process id of the silo whose memory is watched (Linux <c>/proc</c>).</summary>
    public int SiloPid { get; set; }

    /// <summary>The archive driven: DIMSE peer and optional DICOMweb root.</summary>
    public ArchiveEndpoints Archive { get; } = new();

    /// <summary>Approximate pixel data bytes of the multi-frame instance; 0 skips its steps.</summary>
    public long MultiFrameBytes { get; set; } = 2_000_000_000;

    /// <summary>Rows and columns of each 8-bit frame of the multi-frame instance.</summary>
    public int FrameSide { get; set; } = 512;

    /// <summary>Instances of the large study (64×64 16-bit CT slices); 0 skips its steps.</summary>
    public int Instances { get; set; } = 5000;

    /// <summary>Parallel associations storing the large study.</summary>
    public int Associations { get; set; } = 4;

    /// <summary>The bound the silo's resident set must stay under, in bytes (default 1 GB = 10^9 bytes).</summary>
    public long LimitBytes { get; set; } = 1_000_000_000;

    /// <summary>Sampling interval of <c>/proc/&lt;pid&gt;/status</c>.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Salt of generated UIDs, so two runs against one archive do not collide.</summary>
    public string Seed { get; set; } = "1";

    /// <summary>Folder for <c>memory.json</c> and <c>memory.md</c>; null writes nothing.</summary>
    public string? OutFolder { get; set; }

    /// <summary>Seconds after which one request (one C-STORE, one whole retrieval) is abandoned.</summary>
    public int TimeoutSeconds { get; set; } = 1800;
}
