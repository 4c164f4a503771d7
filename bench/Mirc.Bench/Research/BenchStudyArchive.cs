using Mirc.Bench.Data;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Bench.Research;

/// <summary>
/// The archive's read side as the research export sees it, for the one synthetic study the benchmark wrote to its own
/// blob store at the layout's keys — no cluster, so the manifest entries are made from the study itself. Only what the
/// export reads: resolving an instance and opening its blob (through the same <see cref="IBlobStore"/> as the archive).
/// </summary>
internal sealed class BenchStudyArchive(BenchStudy study, InstanceBlobLayout layout, IBlobStore store) : IInstanceRetriever
{
    private readonly Dictionary<string, InstanceEntry> _entries = study.Instances.ToDictionary(i => i.SopInstanceUid, i =>
    {
        var key = layout.GetInstanceKey(study.StudyUid, i.SeriesUid, i.SopInstanceUid);
        return new InstanceEntry
        {
            StudyInstanceUid = study.StudyUid,
            SeriesInstanceUid = i.SeriesUid,
            SopInstanceUid = i.SopInstanceUid,
            SopClassUid = i.SopClassUid,
            TransferSyntaxUid = i.TransferSyntaxUid,
            BlobContainer = key.Container,
            BlobName = key.Name,
            Size = i.Part10.Length,
            Digest = string.Empty,
            EstablishmentId = "bench",
        };
    }, StringComparer.Ordinal);

    public Task<IReadOnlyList<InstanceEntry>> ResolveAsync(RetrievalScope scope, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<InstanceEntry> found = scope.StudyInstanceUid == study.StudyUid && scope.SopInstanceUid is { } sop && _entries.TryGetValue(sop, out var entry)
            ? [entry]
            : [];
        return Task.FromResult(found);
    }

    public async Task<Stream> OpenInstanceAsync(InstanceEntry instance, CancellationToken cancellationToken = default) =>
        await store.OpenReadAsync(new BlobKey(instance.BlobContainer, instance.BlobName), null, cancellationToken).ConfigureAwait(false);

    public IAsyncEnumerable<RetrievedInstance> OpenAsync(IReadOnlyList<InstanceEntry> instances, int prefetch = 0, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The research export opens one instance at a time.");

    public Task<IReadOnlyList<RetrievedFrame>> ReadFramesAsync(InstanceEntry instance, IReadOnlyList<int> frameNumbers, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The research export reads whole instances.");
}
