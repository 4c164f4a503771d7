using Mirc.Bench.Cli;
using Mirc.Bench.Data;
using Mirc.Bench.Dimse;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Run;

/// <summary>The DIMSE operations of a run: C-STORE (and its scaling), C-FIND, C-GET and C-MOVE.</summary>
public sealed class DimsePhase(BenchOptions options, DimseDriver driver)
{
    /// <summary>C-STORE of <paramref name="study"/> over <paramref name="associations"/> parallel associations.</summary>
    public async Task<OperationResult> StoreAsync(string name, BenchStudy study, int associations, CancellationToken cancellationToken)
    {
        var recorder = new OperationRecorder(name,
            $"C-STORE of {study.Instances.Count} instances ({study.Name}) over {associations} parallel associations (set-up included)",
            study.Instances.Count);
        try
        {
            await driver.StoreAsync(study.Instances, associations, recorder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            recorder.Failure(e);
        }

        return recorder.Complete();
    }

    /// <summary>STUDY-level C-FIND by Patient ID, sequential on one association.</summary>
    public async Task<OperationResult> FindStudiesAsync(string patientId, int expectedStudies, CancellationToken cancellationToken)
    {
        var recorder = new OperationRecorder("dimse.c-find.studies-by-patient",
            $"C-FIND STUDY level PatientID={patientId} (≥{expectedStudies} studies), {options.SmallRepeat}× sequential on one association",
            options.SmallRepeat);
        try
        {
            await using var client = await driver.ConnectForFindAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < options.SmallRepeat; i++)
            {
                await recorder.MeasureAsync(() => driver.FindStudiesAsync(client, patientId, expectedStudies, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            recorder.Failure(e);
        }

        return recorder.Complete();
    }

    /// <summary>C-GET of the whole study, one association per retrieval, repeated.</summary>
    public async Task<OperationResult> GetStudyAsync(BenchStudy study, CancellationToken cancellationToken, int? repeat = null)
    {
        var times = repeat ?? options.Repeat;
        var recorder = new OperationRecorder("dimse.c-get.study",
            $"C-GET whole study {study.Name} ({study.Instances.Count} instances), {times}×, new association each", study.Instances.Count * times);
        for (var i = 0; i < times; i++)
        {
            await recorder.MeasureAsync(() => driver.GetStudyAsync(study, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        return recorder.Complete();
    }

    /// <summary>C-MOVE of the whole study to our own receiving SCP, repeated.</summary>
    public async Task<OperationResult> MoveStudyAsync(BenchStudy study, MoveReceiver receiver, CancellationToken cancellationToken)
    {
        var recorder = new OperationRecorder("dimse.c-move.study",
            $"C-MOVE whole study {study.Name} ({study.Instances.Count} instances) to {options.MoveAe} (this benchmark's SCP), {options.Repeat}×",
            study.Instances.Count * options.Repeat);
        for (var i = 0; i < options.Repeat; i++)
        {
            await recorder.MeasureAsync(() => driver.MoveStudyAsync(study, options.MoveAe, receiver, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        return recorder.Complete();
    }
}
