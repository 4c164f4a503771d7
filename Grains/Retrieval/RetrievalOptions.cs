using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Retrieval;

/// <summary>Retrieval settings, section <c>Mirc:Archive:Retrieval</c>.</summary>
public sealed class RetrievalOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Archive:Retrieval";

    /// <summary>Instances fetched ahead of the one being consumed.</summary>
    [Range(1, 256)]
    public int Prefetch { get; set; } = 8;

    /// <summary>
    /// Instances up to this size are read whole into a pooled buffer while prefetching (hides blob latency);
    /// larger ones are streamed from the blob. Local files (filesystem blob store) are always streamed: the page cache
    /// is their read-ahead.
    /// </summary>
    [Range(0, 256 * 1024 * 1024)]
    public int BufferedInstanceLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>Frame range reads in flight at once for one request.</summary>
    [Range(1, 256)]
    public int FrameParallelism { get; set; } = 8;
}
