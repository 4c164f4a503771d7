using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Bench.Cli;
using Mirc.Bench.Data.Synthesis;
using Mirc.Dicom;
using Mirc.Dicom.Deidentification;
using Mirc.Grains.Research;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Bench.Research;

/// <summary>
/// <c>research-export</c>: the export rate of a research export for the benchmark's CT (300 slices of 512×512 16-bit by
/// default), through the export's own pipeline (<see cref="ResearchInstanceExporter"/> over the embedded blob store: read
/// each instance, de-identify it, record the pseudonym in the vault, write the file durably), in batches as the export
/// grain runs them; and the de-identification alone, in memory, to show what the storage costs.
/// </summary>
public static class ResearchExportCommand
{
    /// <summary>Text printed for <c>research-export --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench research-export [--ct-slices N] [--concurrency K] [--batch N] [--repeat N] [--root DIR] [--keep] [--stow URL [--stow-batch N]]
          --ct-slices N     CT slices (default 300, 512x512 16-bit, 157 MB)
          --concurrency K   instances de-identified at once (default 4, as Mirc:Research:ExportConcurrency)
          --batch N         instances per batch (default 64, as Mirc:Research:BatchSize)
          --repeat N        exports measured (default 3; each is a new export of the same project)
          --root DIR        blob store folder (default: fresh folder under the temp folder, deleted unless --keep)
          --stow URL        push to this STOW-RS endpoint (e.g. Orthanc's http://127.0.0.1:8042/dicom-web/studies) instead of the folder
          --stow-batch N    instances per STOW-RS request (default 16, as Mirc:Research:StowBatchSize)
        """;

    /// <summary>Stores the CT, exports it <c>--repeat</c> times, prints one line per measurement.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        int slices = 300, concurrency = 4, batchSize = 64, repeat = 3, stowBatch = 16;
        string? root = null;
        Uri? stowUrl = null;
        var keep = false;
        var arguments = new OptionReader(args);
        while (arguments.MoveNext())
        {
            switch (arguments.Name)
            {
                case "--ct-slices": slices = arguments.Positive(); break;
                case "--concurrency": concurrency = arguments.Positive(); break;
                case "--batch": batchSize = arguments.Positive(); break;
                case "--repeat": repeat = arguments.Positive(); break;
                case "--root": root = arguments.Value(); break;
                case "--keep": keep = true; break;
                case "--stow": stowUrl = new Uri(arguments.Value()); break;
                case "--stow-batch": stowBatch = arguments.Positive(); break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw arguments.Unknown();
            }
        }

        var ownsRoot = root is null;
        root ??= Path.Combine(Path.GetTempPath(), $"mirc-bench-research-{Guid.NewGuid():N}");
        var options = new BenchOptions { CtSlices = slices };
        var study = new SyntheticStudyFactory(options.Seed).Create(DefaultStudySet.Ct(options));
        var storage = Options.Create(new BlobStorageOptions());
        var store = new FileSystemBlobStore(root);
        var layout = new InstanceBlobLayout("mirc", 16);
        var vault = new ResearchVault(store, storage);
        var output = new ResearchOutput(storage);
        var research = Options.Create(new ResearchOptions { StowBatchSize = stowBatch });
        using var stow = new ResearchStowClient(research, NullLogger<ResearchStowClient>.Instance);
        var stowTarget = stowUrl is null ? null : new StowTarget("bench", new StowDestinationOptions { Url = stowUrl });
        var exporter = new ResearchInstanceExporter(new BenchStudyArchive(study, layout, store), store, vault, output, stow, research, NullLogger<ResearchInstanceExporter>.Instance);
        Console.Error.WriteLine($"research-export: CT of {study.Instances.Count} instances ({study.TotalBytes / 1e6:F0} MB), concurrency {concurrency}, batches of {batchSize}, root {root}, to {(stowUrl is null ? "folder" : $"STOW-RS {stowUrl} ({stowBatch} per request)")}");
        try
        {
            foreach (var instance in study.Instances)
            {
                using var content = new MemoryStream(instance.Part10.ToArray(), writable: false);
                await store.WriteAsync(layout.GetInstanceKey(study.StudyUid, instance.SeriesUid, instance.SopInstanceUid), content, null, cancellationToken).ConfigureAwait(false);
            }

            const string projectId = "bench-project";
            var key = await vault.GetOrCreateKeyAsync(projectId, cancellationToken).ConfigureAwait(false);
            var deidentifier = new Deidentifier(key);
            var patient = "regional-" + study.PatientId;
            var items = study.Instances.Select(i => new ExportItem(study.StudyUid, i.SeriesUid, i.SopInstanceUid, patient)).ToList();

            // De-identification alone (parse, de-identify, encode, in memory), same parallelism.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(study.Instances, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, (instance, ct) =>
            {
                var file = DicomFileReader.Read(instance.Part10);
                _ = DicomFileWriter.Write(deidentifier.Deidentify(file, patient).File!);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
            Print("research.deidentify.in-memory", study.Instances.Count, study.TotalBytes, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, 0);

            for (var run = 1; run <= repeat; run++)
            {
                var exportId = $"bench-{run}-{Guid.NewGuid():N}";
                var pseudonyms = new ConcurrentDictionary<string, Lazy<Task>>(StringComparer.Ordinal);
                var failures = 0;
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                for (var next = 0; next < items.Count; next += batchSize)
                {
                    var batch = items.GetRange(next, Math.Min(batchSize, items.Count - next));
                    var outcomes = await exporter.ExportBatchAsync(batch, key, deidentifier, pseudonyms, projectId, exportId, concurrency, stowTarget, cancellationToken).ConfigureAwait(false);
                    failures += outcomes.Count(o => o.Error is not null);
                }

                Print($"research.export.{(stowUrl is null ? "folder" : "stow")}.ct{slices}.k{concurrency}", items.Count, study.TotalBytes, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, failures);
            }

            return 0;
        }
        finally
        {
            if (ownsRoot && !keep)
            {
                try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static void Print(string name, int instances, long bytes, TimeSpan elapsed, TimeSpan cpu, int failures) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {instances} instances in {elapsed.TotalSeconds:F2} s = {instances / elapsed.TotalSeconds:F0} instances/s, {bytes / 1e6 / elapsed.TotalSeconds:F0} MB/s, CPU {cpu.TotalSeconds:F2} s, failures {failures}"));
}
