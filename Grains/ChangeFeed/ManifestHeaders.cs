using Microsoft.Extensions.Logging;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// Reads the stored header of a manifest entry (what the index and the patients' study lists derive their rows from,
/// whether the change-feed follower or <c>admin reindex</c> writes them). A blob that is gone or no longer parses gives
/// null (logged: the instance cannot be served, so it must not be listed); any other failure propagates — the follower
/// retries its batch later, a reindex step fails with it — rather than leave a readable instance out of the index.
/// </summary>
public sealed partial class ManifestHeaders(IBlobStore blobs, ILogger<ManifestHeaders> logger)
{
    /// <summary>Headers of several instances are read at once (blob reads wait on I/O).</summary>
    public const int ReadParallelism = 8;

    /// <summary>The stored header of <paramref name="entry"/>, or null when its blob is gone or does not parse.</summary>
    internal async Task<StoredInstance?> ReadAsync(InstanceEntry entry, CancellationToken cancellationToken)
    {
        var key = new BlobKey(entry.BlobContainer, entry.BlobName);
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            var header = await InstanceHeaderReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            return new StoredInstance(header, key, entry.Size, entry.Digest, entry.EstablishmentId, entry.ReceivedAt);
        }
        catch (Exception ex) when (ex is BlobNotFoundException or FileNotFoundException or InvalidDataException)
        {
            LogUnreadable(logger, ex, entry.StudyInstanceUid, entry.SopInstanceUid);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored header of {SopUid} (study {StudyUid}) cannot be read; left out of the index and the patient's study list")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string studyUid, string sopUid);
}
