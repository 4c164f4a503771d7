namespace Mirc.Grains.Ingest;

/// <summary>
/// The ingest pipeline shared by C-STORE and STOW-RS. Streams the instance to a staged blob while hashing,
/// parses its header, validates it, promotes the blob to its final sharded key, records it in the study manifest,
/// the patient record and the query index, and returns success only when all of that is durable.
/// Idempotent on retry (same SOP Instance UID, same bytes). Thread-safe; bounded concurrency inside.
/// </summary>
public interface IInstanceIngestor
{
    /// <summary>Ingests one instance. Never throws for bad input: failures come back as an <see cref="IngestOutcome"/>.</summary>
    /// <param name="instance">Part 10 file or bare dataset (see <see cref="IngestRequest.Payload"/>); read once, sequentially, not disposed.</param>
    /// <param name="request">Caller identity and constraints.</param>
    /// <param name="cancellationToken">Cancels (nothing acknowledged, nothing half-visible).</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    Task<IngestOutcome> IngestAsync(Stream instance, IngestRequest request, CancellationToken cancellationToken = default);
}
