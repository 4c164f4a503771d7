using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// Brings a data folder written before the fanned-out layout (<see cref="GrainStateRecordNames.FannedOut"/>) to it as
/// the silo starts, before any grain reads its state: each record of the flat layout moves to its fanned-out name — a
/// framed one by a rename, a former unframed one framed there, then removed — and a marker records that the folder is
/// done, so later starts read one name instead of listing every record. Interrupted, the next start goes on: framed
/// records first, so a grain with both forms keeps the framed one, as reads always preferred it (unless torn).
/// </summary>
public sealed partial class GrainStateFolderUpgrade(IBlobStore blobs, InstanceBlobLayout layout, ILogger<GrainStateFolderUpgrade> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The marker of a grain-state container in the fanned-out layout (not a record name: two parts).</summary>
    public const string MarkerName = "layout/grain-state-records";

    private static readonly byte[] MarkerContent = Encoding.ASCII.GetBytes("fanned-out 1\n");
    private const int ProgressEvery = 100_000;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        // Storage services: after the stores are built, before the grain services and any activation.
        lifecycle.Subscribe(nameof(GrainStateFolderUpgrade), ServiceLifecycleStage.RuntimeStorageServices, UpgradeAsync);

    /// <summary>Moves every flat record to its fanned-out name unless the marker says it was done; returns how many moved.</summary>
    public async Task<int> UpgradeAsync(CancellationToken cancellationToken)
    {
        var marker = new BlobKey(layout.GrainStateContainer, MarkerName);
        if (await blobs.TryGetPropertiesAsync(marker, cancellationToken).ConfigureAwait(false) is not null)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        // Moved as listed (a listing is not held in memory: an archive may hold millions): a renamed name is either
        // listed again under its new name — ignored, not a flat one — or not at all.
        var moved = 0;
        await foreach (var (from, to) in FlatRecordsAsync(framed: true, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await blobs.MoveLazilyAsync(Key(from), Key(to), cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                // Moved meanwhile by another silo starting on the same folder (a test cluster): done either way.
            }

            Progress(++moved);
        }

        // The renames are durable before any former record is removed (a removal is durable on return).
        await blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
        var reframed = 0;
        await foreach (var (from, to) in FlatRecordsAsync(framed: false, cancellationToken).ConfigureAwait(false))
        {
            if (await blobs.TryReadAllAsync(Key(from), cancellationToken).ConfigureAwait(false) is { } former)
            {
                var current = await blobs.TryReadAllAsync(Key(to), cancellationToken).ConfigureAwait(false);
                if (current is null || !GrainStateRecordFrame.TryUnwrap(current.Content, out _))
                {
                    await blobs.RewriteAsync(Key(to), GrainStateRecordFrame.Wrap(former.Content.Span), cancellationToken).ConfigureAwait(false);
                }

                await blobs.DeleteAsync(Key(from), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            reframed++;
            Progress(++moved);
        }

        await blobs.RewriteAsync(marker, MarkerContent, cancellationToken).ConfigureAwait(false);
        if (moved > 0)
        {
            LogUpgraded(logger, moved, reframed, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        return moved;

        BlobKey Key(string name) => new(layout.GrainStateContainer, name);

        void Progress(int count)
        {
            if (count % ProgressEvery == 0)
            {
                LogProgress(logger, count);
            }
        }
    }

    private async IAsyncEnumerable<(string From, string To)> FlatRecordsAsync(bool framed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in blobs.ListAsync(layout.GrainStateContainer, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (GrainStateBlobNaming.FannedOutNameOf(blob.Key.Name, out var isFramed) is { } to && isFramed == framed)
            {
                yield return (blob.Key.Name, to);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain state: {Moved} record(s) of the flat layout moved to fanned-out folders ({Framed} framed on the way) in {Seconds:F1} s")]
    private static partial void LogUpgraded(ILogger logger, int moved, int framed, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain state: {Done} record(s) moved to fanned-out folders so far")]
    private static partial void LogProgress(ILogger logger, int done);
}
