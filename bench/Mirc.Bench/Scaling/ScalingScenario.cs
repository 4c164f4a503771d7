using System.Globalization;
using Mirc.Bench.Data;
using Mirc.Bench.DicomWeb;
using Mirc.Bench.Dimse;
using Mirc.Bench.Measurement;
using Mirc.Bench.Memory;

namespace Mirc.Bench.Scaling;

/// <summary>
/// Stores a fresh study of each size (not measured), warms up, then times whole-study retrievals by C-GET (and WADO-RS) in
/// interleaved rounds: each round retrieves every size once, so JIT tiering, caches and the machine's load drift over the run
/// weigh on every size alike instead of favouring the sizes measured last.
/// </summary>
public sealed class ScalingScenario(ScalingOptions options)
{
    /// <summary>Protocol name of the C-GET rows.</summary>
    public const string CGet = "dimse.c-get";

    /// <summary>Protocol name of the WADO-RS rows.</summary>
    public const string WadoRs = "dicomweb.wado";

    /// <summary>Runs the whole measurement; returns one row per protocol and size, C-GET rows first, sizes ascending.</summary>
    public async Task<IReadOnlyList<ScalingRow>> RunAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var dimse = new DimseDriver(options.Archive.Dimse, timeout);
        using var http = options.Archive.DicomWebUrl is { } url ? DicomWebClientFactory.Create(url, options.Archive.Bearer, 4, timeout) : null;
        var web = http is null ? null : new DicomWebDriver(http);

        var protocols = web is null ? new[] { CGet } : [CGet, WadoRs];
        var plans = new List<(RetrievalSeries Series, Func<CancellationToken, Task>? Retrieve)>();
        foreach (var size in options.Sizes)
        {
            var (study, storeError) = await StoreAsync(dimse, size, cancellationToken).ConfigureAwait(false);
            foreach (var protocol in protocols)
            {
                var series = new RetrievalSeries(protocol, size);
                if (storeError is not null)
                {
                    series.Fail(storeError, options.Repeat);
                    plans.Add((series, null));
                    continue;
                }

                plans.Add((series, protocol == CGet
                    ? ct => dimse.GetStudyAsync(study, ct)
                    : ct => web!.RetrieveAsync($"studies/{study.StudyUid}", DicomWebDriver.AcceptDicom, size, ct)));
            }
        }

        var measured = plans.Where(p => p.Retrieve is not null).Select(p => (p.Series, Retrieve: p.Retrieve!)).ToArray();
        if (options.WarmUp)
        {
            // The server's (and our) first retrievals run code not yet optimised by the JIT: not a cost of the study's size.
            Console.Error.WriteLine("retrieve-scaling: warm-up, one unmeasured retrieval of every study");
            foreach (var (_, retrieve) in measured) await WarmUpAsync(retrieve, cancellationToken).ConfigureAwait(false);
        }

        for (var round = 1; round <= options.Repeat; round++)
        {
            foreach (var (series, retrieve) in measured) await series.RunAsync(retrieve, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine(Invariant($"retrieve-scaling: round {round}/{options.Repeat} done, load {LoadAverage.OneMinute():0.0}"));
        }

        var rows = plans.Select(p => p.Series.ToRow()).OrderBy(r => r.Protocol == CGet ? 0 : 1).ThenBy(r => r.Instances).ToArray();
        foreach (var row in rows) Log(row);
        return rows;
    }

    // A fresh study per size (its own seed, so its own UIDs): servers may skip instances they already hold.
    private async Task<(BenchStudy Study, string? Error)> StoreAsync(DimseDriver dimse, int size, CancellationToken cancellationToken)
    {
        var study = LargeStudy.Create(Invariant($"{options.Seed}-scaling-{size}"), size);
        var store = new OperationRecorder(Invariant($"store.study{size}.k{options.Associations}"), "C-STORE, not measured", size);
        try
        {
            await dimse.StoreAsync(study.Instances, options.Associations, store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            store.Failure(e);
        }

        var stored = store.Complete();
        // Retrieval needs only the identity and SOP classes: drop the stored bytes so the largest studies are not all held at once.
        var light = study with { Instances = [.. study.Instances.Select(i => i with { Part10 = ReadOnlyMemory<byte>.Empty, DatasetOffset = 0 })] };
        return (light, stored.Failures > 0 ? $"store failed: {stored.Error}" : null);
    }

    private static async Task WarmUpAsync(Func<CancellationToken, Task> retrieve, CancellationToken cancellationToken)
    {
        try
        {
            await retrieve(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The measured runs will fail the same way and report it.
            Console.Error.WriteLine($"warm-up failed: {e.Message}");
        }
    }

    private static void Log(ScalingRow row) =>
        Console.Error.WriteLine(Invariant(
            $"{row.Protocol,-14} {row.Instances,6} instances  best {row.BestSeconds:0.000} s  median {row.MedianSeconds:0.000} s  {row.ImagesPerSecond,7:0} img/s  {row.BestMicrosecondsPerInstance,6:0} µs/instance (best)")
            + (row.Failures > 0 ? $"  FAILED {row.Failures}: {row.Error}" : ""));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
