using System.Globalization;
using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;
using Mirc.Bench.DicomWeb;
using Mirc.Bench.Dimse;
using Mirc.Bench.Measurement;
using Mirc.Dicom;

namespace Mirc.Bench.Memory;

/// <summary>
/// The steps of the memory test, each measured with the silo's <c>/proc</c> figures sampled around it: the huge multi-frame
/// instance stored then retrieved, the many-instance study stored then retrieved whole.
/// </summary>
public sealed class MemoryScenario(MemoryOptions options)
{
    // The silo keeps working briefly after its last answer (flushes, GC): the window stays open that long after each step.
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(1);

    /// <summary>Runs every step that the options enable, in order.</summary>
    public async Task<IReadOnlyList<MemoryStepResult>> RunAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var target = options.Archive.Dimse;
        var dimse = new DimseDriver(target, timeout);
        using var http = options.Archive.DicomWebUrl is { } url ? DicomWebClientFactory.Create(url, options.Archive.Bearer, 4, timeout) : null;
        var web = http is null ? null : new DicomWebDriver(http);
        var steps = new List<MemoryStepResult>();

        if (options.MultiFrameBytes > 0)
        {
            var spec = StreamedMultiFrameSpec.ForSize(options.Seed, options.MultiFrameBytes, options.FrameSide);
            var shape = Invariant($"one {spec.Frames}-frame {spec.Rows}x{spec.Columns} 8-bit instance ({spec.PixelDataLength / 1e9:0.00} GB of pixel data)");
            var sender = new MultiFrameSender(target, timeout);
            steps.Add(await MeasureAsync("dimse.c-store.multiframe", $"C-STORE of {shape}, generated while sent", 1,
                r => r.MeasureAsync(() => sender.StoreAsync(spec, cancellationToken), cancellationToken), cancellationToken).ConfigureAwait(false));

            var stored = new BenchStudy("multiframe", spec.PatientId, spec.StudyUid,
                [new BenchInstance(spec.SeriesUid, SyntheticSeriesSpec.XaImageStorage, spec.SopInstanceUid, DicomUids.ExplicitVRLittleEndian, spec.Frames, ReadOnlyMemory<byte>.Empty, 0)]);
            steps.Add(await MeasureAsync("dimse.c-get.multiframe", $"C-GET of {shape}, received bytes discarded", 1,
                r => r.MeasureAsync(() => dimse.GetStudyAsync(stored, cancellationToken), cancellationToken), cancellationToken).ConfigureAwait(false));
            if (web is not null)
            {
                steps.Add(await MeasureAsync("dicomweb.wado.multiframe", $"WADO-RS of the study of {shape}, received bytes discarded", 1,
                    r => r.MeasureAsync(() => web.RetrieveAsync($"studies/{spec.StudyUid}", DicomWebDriver.AcceptDicom, 1, cancellationToken), cancellationToken),
                    cancellationToken).ConfigureAwait(false));
            }
        }

        if (options.Instances > 0)
        {
            Console.Error.WriteLine(Invariant($"memory: generating the {options.Instances}-instance study…"));
            var study = LargeStudy.Create(options.Seed, options.Instances);
            var count = study.Instances.Count;
            steps.Add(await MeasureAsync(Invariant($"dimse.c-store.study{count}.k{options.Associations}"),
                Invariant($"C-STORE of a {count}-instance study (64x64 16-bit CT) over {options.Associations} parallel associations"), count,
                r => dimse.StoreAsync(study.Instances, options.Associations, r, cancellationToken), cancellationToken).ConfigureAwait(false));
            steps.Add(await MeasureAsync(Invariant($"dimse.c-get.study{count}"), Invariant($"C-GET of the whole {count}-instance study, received bytes discarded"), count,
                r => r.MeasureAsync(() => dimse.GetStudyAsync(study, cancellationToken), cancellationToken), cancellationToken).ConfigureAwait(false));
            if (web is not null)
            {
                steps.Add(await MeasureAsync(Invariant($"dicomweb.wado.study{count}"), Invariant($"WADO-RS of the whole {count}-instance study, received bytes discarded"), count,
                    r => r.MeasureAsync(() => web.RetrieveAsync($"studies/{study.StudyUid}", DicomWebDriver.AcceptDicom, count, cancellationToken), cancellationToken),
                    cancellationToken).ConfigureAwait(false));
            }
        }

        return steps;
    }

    private async Task<MemoryStepResult> MeasureAsync(string name, string description, long expectedImages, Func<OperationRecorder, Task> step,
        CancellationToken cancellationToken)
    {
        await using var watch = await ProcessMemoryWatch.StartAsync(options.SiloPid, options.SampleInterval, cancellationToken).ConfigureAwait(false);
        var recorder = new OperationRecorder(name, description, expectedImages);
        try
        {
            await step(recorder).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            recorder.Failure(e);
        }

        var operation = recorder.Complete();
        await Task.Delay(Tail, cancellationToken).ConfigureAwait(false);
        var memory = await watch.StopAsync().ConfigureAwait(false);
        var within = operation.Failures == 0 && memory.Error is null && memory.PeakBytes < options.LimitBytes;
        Console.Error.WriteLine(Invariant(
            $"  silo memory: before {memory.Before.RssBytes / 1e6:0} MB, peak {memory.PeakBytes / 1e6:0} MB (anon {memory.PeakRssAnonBytes / 1e6:0} MB), VmHWM {memory.HwmAtEndBytes / 1e6:0} MB, {memory.Samples} samples: {(within ? "within" : "NOT within")} {options.LimitBytes / 1e6:0} MB"));
        return new MemoryStepResult(operation, memory, within);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
