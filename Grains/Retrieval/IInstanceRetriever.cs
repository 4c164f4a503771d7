using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Retrieval;

/// <summary>
/// Read side used by WADO-RS, C-GET and C-MOVE: resolves a study/series/instance to manifest entries in
/// retrieval order, then streams the stored files with bounded parallel prefetch (yielded in order), or reads
/// single frames as byte ranges of the blob (never the whole instance). Thread-safe.
/// </summary>
public interface IInstanceRetriever
{
    /// <summary>Manifest entries of the scope, in retrieval order; empty when nothing matches (unknown or deleted study).</summary>
    Task<IReadOnlyList<InstanceEntry>> ResolveAsync(RetrievalScope scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens the instances, prefetching up to <paramref name="prefetch"/> ahead (0 = configured default), and yields
    /// them in the order given. Each yielded item must be disposed by the consumer before or after reading.
    /// </summary>
    IAsyncEnumerable<RetrievedInstance> OpenAsync(IReadOnlyList<InstanceEntry> instances, int prefetch = 0, CancellationToken cancellationToken = default);

    /// <summary>Opens one stored file for reading (caller disposes the stream).</summary>
    /// <exception cref="InstanceNotFoundException">The blob is missing.</exception>
    Task<Stream> OpenInstanceAsync(InstanceEntry instance, CancellationToken cancellationToken = default);

    /// <summary>Reads frames (1-based numbers) as byte ranges of the blob, fetched in parallel, returned in the requested order.</summary>
    /// <exception cref="InstanceNotFoundException">A frame number is out of range or the blob is missing.</exception>
    Task<IReadOnlyList<RetrievedFrame>> ReadFramesAsync(InstanceEntry instance, IReadOnlyList<int> frameNumbers, CancellationToken cancellationToken = default);
}
