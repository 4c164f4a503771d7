using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mirc.Dicom;
using Mirc.Dicom.Deidentification;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Research;

/// <summary>One outcome of an exported instance: what the de-identifier did, or the error.</summary>
/// <param name="Result">De-identified, flagged or excluded.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record ExportItemOutcome(DeidentificationOutcome Result, string? Error);

/// <summary>
/// The work of an export batch, outside any grain: reads each instance from the archive, de-identifies it, records the
/// pseudonym in the vault (before any file bearing it exists) and writes the file to the output store, at most
/// <c>concurrency</c> instances at once. Singleton, thread-safe.
/// </summary>
public sealed class ResearchInstanceExporter(IBlobStore blobs, InstanceBlobLayout layout, ResearchVault vault, ResearchOutput output, ILogger<ResearchInstanceExporter> logger)
{
    /// <summary>Exports <paramref name="batch"/>; one outcome per item, in order. Failures are outcomes, not exceptions.</summary>
    public async Task<IReadOnlyList<ExportItemOutcome>> ExportBatchAsync(IReadOnlyList<ExportItem> batch, DeidentificationKey key, Deidentifier deidentifier,
        ConcurrentDictionary<string, Lazy<Task>> recordedPseudonyms, string projectId, string exportId, int concurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentNullException.ThrowIfNull(recordedPseudonyms);
        var outcomes = new ExportItemOutcome[batch.Count];
        await Parallel.ForAsync(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var item = batch[i];
            try
            {
                outcomes[i] = await ExportOneAsync(item, key, deidentifier, recordedPseudonyms, projectId, exportId, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ResearchLog.InstanceFailed(logger, ex, exportId, item.SopInstanceUid);
                outcomes[i] = new ExportItemOutcome(DeidentificationOutcome.Deidentified, $"{item.SopInstanceUid}: {ex.Message}");
            }
        }).ConfigureAwait(false);
        return outcomes;
    }

    private async Task<ExportItemOutcome> ExportOneAsync(ExportItem item, DeidentificationKey key, Deidentifier deidentifier,
        ConcurrentDictionary<string, Lazy<Task>> recordedPseudonyms, string projectId, string exportId, CancellationToken ct)
    {
        DicomFile file;
        await using (var stream = await blobs.OpenReadAsync(layout.GetInstanceKey(item.StudyInstanceUid, item.SeriesInstanceUid, item.SopInstanceUid), null, ct).ConfigureAwait(false))
        {
            file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.Default, ct).ConfigureAwait(false);
        }

        var result = deidentifier.Deidentify(file, item.PatientReference);
        if (result.File is null) return new ExportItemOutcome(result.Outcome, null);

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

        var ds = result.File.Dataset;
        var target = output.KeyOf(projectId, exportId, ds.GetString(DicomTag.StudyInstanceUID), ds.GetString(DicomTag.SeriesInstanceUID), ds.GetString(DicomTag.SOPInstanceUID));
        using var content = new MemoryStream(DicomFileWriter.Write(result.File), writable: false);
        await blobs.WriteAsync(target, content, new BlobWriteOptions { ContentType = "application/dicom" }, ct).ConfigureAwait(false);
        return new ExportItemOutcome(result.Outcome, null);
    }
}
