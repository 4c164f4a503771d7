using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom;
using Mirc.Dicom.Deidentification;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Research;

/// <summary>One outcome of an exported instance: what the de-identifier did, or the error.</summary>
/// <param name="Result">De-identified, flagged or excluded.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record ExportItemOutcome(DeidentificationOutcome Result, string? Error);

/// <summary>A research PACS resolved from <see cref="ResearchOptions.StowDestinations"/>.</summary>
/// <param name="Name">Its name in configuration.</param>
/// <param name="Options">Its URL and credential.</param>
public sealed record StowTarget(string Name, StowDestinationOptions Options);

/// <summary>
/// The work of an export batch, outside any grain: reads each instance from the archive, de-identifies it, records the
/// pseudonym in the vault (before any file bearing it exists) and delivers the file — written to the output store, or
/// pushed to a research PACS by STOW-RS in requests of <see cref="ResearchOptions.StowBatchSize"/> — at most
/// <c>concurrency</c> instances at once. De-identification is a function of the project's key, so a batch done again
/// after an interruption delivers the same files under the same names and UIDs. Singleton, thread-safe.
/// </summary>
public sealed class ResearchInstanceExporter(IInstanceRetriever archive, IBlobStore blobs, ResearchVault vault, ResearchOutput output,
    ResearchStowClient stow, IOptions<ResearchOptions> options, ILogger<ResearchInstanceExporter> logger)
{
    private readonly int _stowBatchSize = options.Value.StowBatchSize;

    /// <summary>
    /// Exports <paramref name="batch"/> to the output store, or to <paramref name="stowTarget"/> when given; one outcome
    /// per item, in order. An instance that cannot be read or de-identified, or that the PACS refuses, is a failed outcome.
    /// </summary>
    /// <exception cref="ResearchDestinationUnavailableException">The destination cannot take files now: nothing of the batch counts.</exception>
    /// <exception cref="ResearchDestinationRefusedException">The PACS refuses the credential or the endpoint.</exception>
    public async Task<IReadOnlyList<ExportItemOutcome>> ExportBatchAsync(IReadOnlyList<ExportItem> batch, DeidentificationKey key, Deidentifier deidentifier,
        ConcurrentDictionary<string, Lazy<Task>> recordedPseudonyms, string projectId, string exportId, int concurrency, StowTarget? stowTarget = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentNullException.ThrowIfNull(recordedPseudonyms);
        var outcomes = new ExportItemOutcome[batch.Count];
        var prepared = new StowInstance?[batch.Count];
        await Parallel.ForAsync(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var item = batch[i];
            try
            {
                var (outcome, file) = await PrepareAsync(item, key, deidentifier, recordedPseudonyms, projectId, ct).ConfigureAwait(false);
                outcomes[i] = outcome;
                if (file is null) return;
                if (stowTarget is not null)
                {
                    prepared[i] = new StowInstance(file.Dataset.GetString(DicomTag.SOPInstanceUID), DicomFileWriter.Write(file));
                    return;
                }

                await WriteAsync(file, projectId, exportId, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not ResearchDestinationUnavailableException)
            {
                ResearchLog.InstanceFailed(logger, ex, exportId, item.SopInstanceUid);
                outcomes[i] = new ExportItemOutcome(DeidentificationOutcome.Deidentified, $"{item.SopInstanceUid}: {ex.Message}");
            }
        }).ConfigureAwait(false);

        if (stowTarget is not null) await PushAsync(stowTarget, prepared, outcomes, cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>
    /// The instance as every other read of the archive finds it: its manifest entry (an instance replaced under duplicate
    /// policy Replace has its bytes under a key of its own), then its blob.
    /// </summary>
    private async Task<Stream> OpenAsync(ExportItem item, CancellationToken ct)
    {
        var entries = await archive.ResolveAsync(new RetrievalScope(item.StudyInstanceUid, item.SeriesInstanceUid, item.SopInstanceUid), ct).ConfigureAwait(false);
        var entry = entries.Count > 0
            ? entries[0]
            : throw new InstanceNotFoundException($"Instance {item.SopInstanceUid} is no longer in study {item.StudyInstanceUid}.");
        return await archive.OpenInstanceAsync(entry, ct).ConfigureAwait(false);
    }

    private async Task<(ExportItemOutcome Outcome, DicomFile? File)> PrepareAsync(ExportItem item, DeidentificationKey key, Deidentifier deidentifier,
        ConcurrentDictionary<string, Lazy<Task>> recordedPseudonyms, string projectId, CancellationToken ct)
    {
        DicomFile file;
        await using (var stream = await OpenAsync(item, ct).ConfigureAwait(false))
        {
            file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.Default, ct).ConfigureAwait(false);
        }

        var result = deidentifier.Deidentify(file, item.PatientReference);
        if (result.File is null) return (new ExportItemOutcome(result.Outcome, null), null);

        var pseudonym = key.Pseudonym(item.PatientReference);
        var recording = recordedPseudonyms.GetOrAdd(pseudonym, p => new Lazy<Task>(() => vault.RecordAsync(projectId, p, item.PatientReference, CancellationToken.None)));
        try
        {
            await recording.Value.ConfigureAwait(false);
        }
        catch
        {
            // Not recorded: the next instance of this patient tries again.
            recordedPseudonyms.TryRemove(new KeyValuePair<string, Lazy<Task>>(pseudonym, recording));
            throw;
        }

        return (new ExportItemOutcome(result.Outcome, null), result.File);
    }

    // The output store failing is the destination being down, not this instance being bad: the batch waits and is done again
    // (overwriting the same names with the same bytes).
    private async Task WriteAsync(DicomFile file, string projectId, string exportId, CancellationToken ct)
    {
        var ds = file.Dataset;
        var target = output.KeyOf(projectId, exportId, ds.GetString(DicomTag.StudyInstanceUID), ds.GetString(DicomTag.SeriesInstanceUID), ds.GetString(DicomTag.SOPInstanceUID));
        try
        {
            using var content = new MemoryStream(DicomFileWriter.Write(file), writable: false);
            await blobs.WriteAsync(target, content, new BlobWriteOptions { ContentType = "application/dicom", Overwrite = true }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ResearchDestinationUnavailableException($"output store {output.Container} unavailable: {ex.Message}", ex);
        }
    }

    private async Task PushAsync(StowTarget target, StowInstance?[] prepared, ExportItemOutcome[] outcomes, CancellationToken ct)
    {
        var pending = Enumerable.Range(0, prepared.Length).Where(i => prepared[i] is not null).ToArray();
        foreach (var chunk in pending.Chunk(_stowBatchSize))
        {
            var errors = await stow.StoreAsync(target.Name, target.Options, [.. chunk.Select(i => prepared[i]!)], ct).ConfigureAwait(false);
            for (var j = 0; j < chunk.Length; j++)
            {
                if (errors[j] is { } error) outcomes[chunk[j]] = outcomes[chunk[j]] with { Error = error };
            }
        }
    }
}
