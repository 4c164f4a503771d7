using Microsoft.Extensions.Logging;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// Reads the stored header of a manifest entry (what the projections derive their rows from). A blob that is gone or no
/// longer parses gives null (logged: the instance cannot be served, so it must not be listed); any other failure
/// propagates, and the follower retries the batch later.
/// </summary>
internal sealed partial class ManifestHeaders(IBlobStore blobs, ILogger<ManifestHeaders> logger)
{
    /// <summary>Headers of several instances are read at once (blob reads wait on I/O).</summary>
    public const int ReadParallelism = 8;

    public async Task<StoredInstance?> ReadAsync(InstanceEntry entry, CancellationToken cancellationToken)
    {
        var key = new BlobKey(entry.BlobContainer, entry.BlobName);
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            var header = await InstanceHeaderReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            return new StoredInstance(header, key, entry.Size, entry.Sha256, entry.EstablishmentId, entry.ReceivedAt);
        }
        catch (Exception ex) when (ex is BlobNotFoundException or FileNotFoundException or InvalidDataException)
        {
            LogUnreadable(logger, ex, entry.StudyInstanceUid, entry.SopInstanceUid);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Change-feed follower: the stored header of {SopUid} (study {StudyUid}) cannot be read; not projected")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string studyUid, string sopUid);
}
