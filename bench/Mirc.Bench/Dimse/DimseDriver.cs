using System.Runtime.InteropServices;
using Mirc.Bench.Data;
using Mirc.Bench.Measurement;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.Bench.Dimse;

/// <summary>C-STORE, C-FIND, C-GET and C-MOVE as the benchmark drives them, on <see cref="DicomClient"/> associations.</summary>
public sealed class DimseDriver(DimseTarget target, TimeSpan timeout)
{
    /// <summary>
    /// Stores <paramref name="instances"/> over <paramref name="associations"/> associations in parallel, each taking the
    /// next instance from a shared queue; association set-up is part of the measured time, as it is for a modality.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<BenchInstance> instances, int associations, OperationRecorder recorder, CancellationToken cancellationToken)
    {
        var proposals = DicomClient.ProposalsFor(instances.Select(i => (i.SopClassUid, i.TransferSyntaxUid)));
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(associations, instances.Count)).Select(async _ =>
        {
            await using var client = await ConnectAsync(proposals, cancellationToken).ConfigureAwait(false);
            int index;
            while ((index = Interlocked.Increment(ref next)) < instances.Count)
            {
                var instance = instances[index];
                await recorder.MeasureAsync(async () =>
                {
                    using var file = AsStream(instance.Part10);
                    var result = await client.StoreAsync(file, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                    Ensure(result.Status, "C-STORE", result.ErrorComment);
                    return (1, instance.Part10.Length - instance.DatasetOffset);
                }, cancellationToken).ConfigureAwait(false);
            }

            await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>Opens one association for repeated C-FINDs of a patient's studies.</summary>
    public Task<DicomClient> ConnectForFindAsync(CancellationToken cancellationToken) =>
        ConnectAsync([new PresentationContextProposal(0, QueryRetrieve.StudyRootFind, QueryRetrieve.UncompressedSyntaxes)], cancellationToken);

    /// <summary>STUDY-level C-FIND by Patient ID; fails unless at least <paramref name="expectedStudies"/> match.</summary>
    public async Task<(long Images, long Bytes)> FindStudiesAsync(DicomClient client, string patientId, int expectedStudies, CancellationToken cancellationToken)
    {
        var matches = 0;
        await foreach (var match in client.FindAsync(QueryRetrieve.StudyRootFind, QueryRetrieve.FindStudiesOfPatient(patientId), cancellationToken).ConfigureAwait(false))
        {
            if (match.GetStringOrDefault(DicomTag.PatientID) is { } id && id != patientId)
            {
                throw new InvalidOperationException($"C-FIND for {patientId} answered a study of {id}");
            }

            matches++;
        }

        if (matches < expectedStudies) throw new InvalidOperationException($"C-FIND found {matches} studies of {patientId}, expected {expectedStudies}");
        return (0, 0);
    }

    /// <summary>C-GET of a whole study on a fresh association; fails unless every instance arrives.</summary>
    public async Task<(long Images, long Bytes)> GetStudyAsync(BenchStudy study, CancellationToken cancellationToken)
    {
        var storage = study.Instances.Select(i => i.SopClassUid).Distinct()
            .Select(sop => new PresentationContextProposal(0, sop, QueryRetrieve.UncompressedSyntaxes) { RequestorScuRole = true, RequestorScpRole = true });
        await using var client = await ConnectAsync(
            [new PresentationContextProposal(0, QueryRetrieve.StudyRootGet, QueryRetrieve.UncompressedSyntaxes), .. storage], cancellationToken).ConfigureAwait(false);
        long received = 0, bytes = 0;
        var identifier = QueryRetrieve.Study(study.StudyUid);
        var result = await client.GetAsync(QueryRetrieve.StudyRootGet, identifier, async (_, dataSet, ct) =>
        {
            Interlocked.Add(ref bytes, await CountingSink.DrainAsync(dataSet, ct).ConfigureAwait(false));
            Interlocked.Increment(ref received);
            return DimseResult.Success;
        }, null, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        EnsureRetrieved("C-GET", result, received, study.Instances.Count);
        return (received, bytes);
    }

    /// <summary>C-MOVE of a whole study to <paramref name="destinationAe"/> (our <see cref="MoveReceiver"/>); fails unless it gets every instance.</summary>
    public async Task<(long Images, long Bytes)> MoveStudyAsync(BenchStudy study, string destinationAe, MoveReceiver receiver, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync([new PresentationContextProposal(0, QueryRetrieve.StudyRootMove, QueryRetrieve.UncompressedSyntaxes)], cancellationToken)
            .ConfigureAwait(false);
        var (instancesBefore, bytesBefore) = (receiver.Instances, receiver.Bytes);
        var identifier = QueryRetrieve.Study(study.StudyUid);
        var result = await client.MoveAsync(QueryRetrieve.StudyRootMove, destinationAe, identifier, null, cancellationToken)
            .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        var received = receiver.Instances - instancesBefore;
        EnsureRetrieved("C-MOVE", result, received, study.Instances.Count);
        return (received, receiver.Bytes - bytesBefore);
    }

    private async Task<DicomClient> ConnectAsync(IReadOnlyList<PresentationContextProposal> proposals, CancellationToken cancellationToken) =>
        await DicomClient.ConnectAsync(target.Host, target.Port, target.CallingAe, target.CalledAe, proposals,
            new DicomClientOptions { MaxPduLength = 256 * 1024, DimseTimeout = timeout }, null, cancellationToken).ConfigureAwait(false);

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static void Ensure(ushort status, string what, string? comment)
    {
        if (!DimseStatus.IsSuccessOrWarning(status)) throw new InvalidOperationException($"{what} status 0x{status:X4} {comment}");
    }

    private static void EnsureRetrieved(string what, DicomRetrieveResult result, long received, int expected)
    {
        if (result.Status != DimseStatus.Success || received != expected)
        {
            throw new InvalidOperationException(
                $"{what} status 0x{result.Status:X4}: {result.Completed} completed, {result.Failed} failed, {result.Warning} warnings; received {received} of {expected}");
        }
    }
}
