using System.Diagnostics;
using Mirc.Bench.Cli;
using Mirc.Bench.Measurement;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Bench.Storage;

/// <summary>
/// <c>blobs [--count N] [--size BYTES] [--parallel K] [--root DIR]</c>: durable write, ingest-path (stage then move) and
/// read throughput of the filesystem blob store, exactly as the archive uses it.
/// </summary>
public static class BlobsCommand
{
    /// <summary>Text printed for <c>blobs --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench blobs [--count N] [--size BYTES] [--parallel K] [--root DIR] [--keep]
          --count N       instances per phase (default 2000)
          --size BYTES    bytes per instance (default 524288)
          --parallel K    concurrent writers/readers (default 8)
          --root DIR      store root (default: a fresh folder under the temp folder, deleted at the end)
          --keep          keep the store root
          --only PHASE    run only write or ingest (e.g. under strace -c -f to count flushes per instance)
        phases: write (WriteAsync to the final key), ingest (non-seekable stream staged, then MoveAsync to the final key),
        read (OpenReadAsync of every instance, read to the end).
        """;

    /// <summary>Runs the three phases and prints one line per phase.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        int count = 2000, size = 524288, parallel = 8;
        string? root = null;
        var keep = false;
        string? only = null;
        var options = new OptionReader(args);
        while (options.MoveNext())
        {
            switch (options.Name)
            {
                case "--count": count = options.Positive(); break;
                case "--size": size = options.Positive(); break;
                case "--parallel": parallel = options.Positive(); break;
                case "--root": root = options.Value(); break;
                case "--keep": keep = true; break;
                case "--only": only = options.Value() is var phase && phase is "write" or "ingest" ? phase : throw new ArgumentException("--only takes write or ingest"); break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw options.Unknown();
            }
        }

        root ??= Path.Combine(Path.GetTempPath(), $"mirc-bench-blobs-{Guid.NewGuid():N}");
        var payload = new byte[size];
        new Random(42).NextBytes(payload);
        var layout = new InstanceBlobLayout("mirc", 16);
        var store = new FileSystemBlobStore(root);
        Console.Error.WriteLine($"blobs: {count} x {size} bytes, {parallel} in parallel, root {root}");
        try
        {
            // One study with a handful of series, like a CT/MR push: concurrent writers share series folders.
            BlobKey FinalKey(string run, int i) => layout.GetInstanceKey("1.2.826.0.1.9", $"1.2.826.0.1.9.{i % 4}", $"1.2.826.0.1.9.{run}.{i}");

            if (only is null or "write")
            {
                Print(await MeasureAsync("write", count, parallel, size, async i =>
                {
                    using var content = new MemoryStream(payload, writable: false);
                    await store.WriteAsync(FinalKey("1", i), content, null, cancellationToken).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false));
            }

            if (only is null or "ingest")
            {
                Print(await MeasureAsync("ingest", count, parallel, size, async i =>
                {
                    // The transport hands a non-seekable stream: no length hint, as for C-STORE and STOW-RS.
                    await using var content = new ForwardOnlyReadStream(payload);
                    var staged = layout.NewStagingKey();
                    await store.WriteAsync(staged, content, null, cancellationToken).ConfigureAwait(false);
                    await store.MoveAsync(staged, FinalKey("2", i), cancellationToken).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false));
            }

            if (only is not null)
            {
                return 0;
            }

            Print(await MeasureAsync("read", count, parallel, size, async i =>
            {
                await using var stream = await store.OpenReadAsync(FinalKey("1", i), null, cancellationToken).ConfigureAwait(false);
                var local = new byte[128 * 1024];
                while (await stream.ReadAsync(local, cancellationToken).ConfigureAwait(false) > 0)
                {
                }
            }, cancellationToken).ConfigureAwait(false));
            return 0;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static void Print(PhaseResult r) =>
        Console.WriteLine(FormattableString.Invariant(
            $"{r.Name,-7} {r.Count} x {r.Size} B: {r.Count / r.Elapsed.TotalSeconds,8:0} /s {r.Count * (double)r.Size / r.Elapsed.TotalSeconds / 1e6,8:0.0} MB/s  p50 {r.P50:0.0} ms  p99 {r.P99:0.0} ms  ({r.Elapsed.TotalSeconds:0.00} s, load {LoadAverage.OneMinute():0.0})"));

    private static async Task<PhaseResult> MeasureAsync(string name, int count, int parallel, int size, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var next = -1;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(i).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, cancellationToken));
        await Task.WhenAll(workers).ConfigureAwait(false);
        wall.Stop();
        Array.Sort(latencies);
        return new PhaseResult(name, count, size, wall.Elapsed, Percentile.NearestRank(latencies, 50), Percentile.NearestRank(latencies, 99));
    }

    private sealed record PhaseResult(string Name, int Count, int Size, TimeSpan Elapsed, double P50, double P99);
}
