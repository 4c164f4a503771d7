using Mirc.Bench.Cli;
using Mirc.Bench.Data;
using Mirc.Bench.DicomWeb;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Run;

/// <summary>The DICOMweb operations of a run: STOW-RS, QIDO-RS and WADO-RS (study, series, instance, frame).</summary>
public sealed class DicomWebPhase(BenchOptions options, DicomWebDriver driver)
{
    /// <summary>STOW-RS of <paramref name="study"/> in batches of B with K requests in flight (the options' unless given).</summary>
    public async Task<OperationResult> StoreAsync(string name, BenchStudy study, CancellationToken cancellationToken, int? batchSize = null, int? parallel = null)
    {
        var batch = batchSize ?? options.StowBatch;
        var inFlight = parallel ?? options.StowParallel;
        var batches = study.Instances.Chunk(batch).ToArray();
        var recorder = new OperationRecorder(name,
            $"STOW-RS of {study.Instances.Count} instances ({study.Name}) in batches of {batch}, {inFlight} request(s) in parallel",
            study.Instances.Count);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken },
            (batch, ct) => new ValueTask(recorder.MeasureAsync(() => driver.StoreAsync(batch, ct), ct))).ConfigureAwait(false);
        return recorder.Complete();
    }

    /// <summary>QIDO-RS studies by Patient ID, one request at a time.</summary>
    public Task<OperationResult> FindStudiesAsync(string patientId, int expectedStudies, CancellationToken cancellationToken) =>
        Sequential("dicomweb.qido.studies-by-patient", $"QIDO-RS /studies?PatientID={patientId} (≥{expectedStudies} studies), sequential",
            options.SmallRepeat, 0, _ => driver.FindStudiesAsync(patientId, expectedStudies, cancellationToken), cancellationToken);

    /// <summary>QIDO-RS studies by Patient ID from <see cref="BenchOptions.Clients"/> clients at once.</summary>
    public Task<OperationResult> FindStudiesConcurrentlyAsync(string patientId, int expectedStudies, CancellationToken cancellationToken) =>
        Concurrent($"dicomweb.qido.studies-by-patient.c{options.Clients}",
            $"QIDO-RS /studies?PatientID={patientId}, {options.Clients} clients × {options.SmallRepeat} requests", 0,
            _ => driver.FindStudiesAsync(patientId, expectedStudies, cancellationToken), cancellationToken);

    /// <summary>WADO-RS of single instances spread over the study, from <see cref="BenchOptions.Clients"/> clients at once.</summary>
    public Task<OperationResult> RetrieveInstancesConcurrentlyAsync(BenchStudy study, CancellationToken cancellationToken) =>
        Concurrent($"dicomweb.wado.instance.c{options.Clients}",
            $"WADO-RS single instances of {study.Name}, {options.Clients} clients × {options.SmallRepeat} requests", 1,
            i => RetrieveInstanceAsync(study, i, cancellationToken), cancellationToken);

    /// <summary>WADO-RS of the whole study, repeated.</summary>
    public Task<OperationResult> RetrieveStudyAsync(BenchStudy study, CancellationToken cancellationToken, int? repeat = null) =>
        Sequential("dicomweb.wado.study", $"WADO-RS whole study {study.Name} ({study.Instances.Count} instances), {repeat ?? options.Repeat}×",
            repeat ?? options.Repeat, study.Instances.Count,
            _ => driver.RetrieveAsync($"studies/{study.StudyUid}", DicomWebDriver.AcceptDicom, study.Instances.Count, cancellationToken), cancellationToken);

    /// <summary>WADO-RS of the first series, repeated.</summary>
    public Task<OperationResult> RetrieveSeriesAsync(BenchStudy study, CancellationToken cancellationToken)
    {
        var series = study.SeriesUids[0];
        var count = study.Instances.Count(i => i.SeriesUid == series);
        return Sequential("dicomweb.wado.series", $"WADO-RS one series of {study.Name} ({count} instances), {options.Repeat}×",
            options.Repeat, count,
            _ => driver.RetrieveAsync($"studies/{study.StudyUid}/series/{series}", DicomWebDriver.AcceptDicom, count, cancellationToken), cancellationToken);
    }

    /// <summary>WADO-RS of single instances spread over the study.</summary>
    public Task<OperationResult> RetrieveInstancesAsync(BenchStudy study, CancellationToken cancellationToken) =>
        Sequential("dicomweb.wado.instance", $"WADO-RS single instances of {study.Name}, {options.InstanceRepeat} requests, sequential",
            options.InstanceRepeat, 1, i => RetrieveInstanceAsync(study, i, cancellationToken), cancellationToken);

    /// <summary>The <paramref name="i"/>-th instance of a spread over the study (a stride prime to any study size here).</summary>
    private Task<(long, long)> RetrieveInstanceAsync(BenchStudy study, int i, CancellationToken cancellationToken)
    {
        var instance = study.Instances[(int)((long)i * 7919 % study.Instances.Count)];
        return driver.RetrieveAsync($"studies/{study.StudyUid}/series/{instance.SeriesUid}/instances/{instance.SopInstanceUid}",
            DicomWebDriver.AcceptDicom, 1, cancellationToken);
    }

    /// <summary>WADO-RS of one frame of a multi-frame instance, a different frame each time.</summary>
    public Task<OperationResult> RetrieveFramesAsync(BenchStudy study, BenchInstance instance, CancellationToken cancellationToken) =>
        Sequential("dicomweb.wado.frame", $"WADO-RS one frame of a {instance.Frames}-frame instance, {options.SmallRepeat} requests, sequential",
            options.SmallRepeat, 1,
            i => driver.RetrieveAsync(
                $"studies/{study.StudyUid}/series/{instance.SeriesUid}/instances/{instance.SopInstanceUid}/frames/{1 + (long)i * 337 % instance.Frames}",
                DicomWebDriver.AcceptFrames, 1, cancellationToken), cancellationToken);

    /// <summary><see cref="BenchOptions.Clients"/> clients, each sending <see cref="BenchOptions.SmallRepeat"/> requests in turn.</summary>
    private async Task<OperationResult> Concurrent(string name, string description, long imagesEach, Func<int, Task<(long, long)>> request, CancellationToken cancellationToken)
    {
        var recorder = new OperationRecorder(name, description, (long)options.Clients * options.SmallRepeat * Math.Max(imagesEach, 1));
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Clients), new ParallelOptions { MaxDegreeOfParallelism = options.Clients, CancellationToken = cancellationToken },
            async (client, ct) =>
            {
                for (var i = 0; i < options.SmallRepeat; i++)
                {
                    var n = client * options.SmallRepeat + i;
                    await recorder.MeasureAsync(() => request(n), ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return recorder.Complete();
    }

    private static async Task<OperationResult> Sequential(string name, string description, int count, long imagesEach, Func<int, Task<(long, long)>> request, CancellationToken cancellationToken)
    {
        var recorder = new OperationRecorder(name, description, count * Math.Max(imagesEach, 1));
        for (var i = 0; i < count; i++) await recorder.MeasureAsync(() => request(i), cancellationToken).ConfigureAwait(false);
        return recorder.Complete();
    }
}
