using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;

namespace Mirc.Bench.Storage;

/// <summary>
/// <c>replication</c>: what two-site replication costs the archive's storage steps of an ingest — stage the bytes, move
/// them to the final key, write the study manifest segment — in one run: one site, two sites synchronous, two sites
/// asynchronous (with the lag measured from each write to its copy, and the time the backlog takes to drain after the
/// last acknowledgement). Two folders by default; two storage accounts (e.g. two Azurite servers) with
/// <c>--first</c> / <c>--second</c> connection strings. Grain calls and the query index are not in it, so the ratio is
/// an upper bound of what replication adds to a whole ingest.
/// </summary>
public static class ReplicationCommand
{
    /// <summary>Text printed for <c>replication --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench replication [--count N] [--size BYTES] [--parallel K] [--first CONN --second CONN] [--root DIR] [--rounds N]
          --count N        instances per phase (default 1000)
          --size BYTES     bytes per instance (default 524288, a 512x512 16-bit CT slice)
          --parallel K     concurrent ingests (default 8)
          --first CONN     connection string of the first storage account (Azure mode; default: folders)
          --second CONN    connection string of the second storage account
          --root DIR       parent of the two site folders (default: a fresh folder under the temp folder, deleted)
          --rounds N       each phase measured N times, interleaved (default 2); the best of each is reported
        phases: single (one site), sync (Mode=Synchronous), async (Mode=Asynchronous).
        """;

    /// <summary>Runs the phases and prints one line per phase and the ratios.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        int count = 1000, size = 524288, parallel = 8, rounds = 2;
        string? first = null, second = null, root = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{args[i]} needs a positive whole number");
            switch (args[i])
            {
                case "--count": count = Positive(); break;
                case "--size": size = Positive(); break;
                case "--parallel": parallel = Positive(); break;
                case "--rounds": rounds = Positive(); break;
                case "--first": first = Value(); break;
                case "--second": second = Value(); break;
                case "--root": root = Value(); break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if ((first is null) != (second is null))
        {
            throw new ArgumentException("--first and --second go together");
        }

        var ownsRoot = root is null;
        root ??= Path.Combine(Path.GetTempPath(), $"mirc-bench-replication-{Guid.NewGuid():N}");
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var manifest = new byte[4096];
        Random.Shared.NextBytes(manifest);
        var where = first is null ? $"folders under {root}" : "two storage accounts";
        Console.Error.WriteLine($"replication: {count} instances of {size} bytes, {parallel} in parallel, {rounds} rounds, {where}");
        var best = new Dictionary<string, PhaseResult>(StringComparer.Ordinal);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var phase in new[] { "single", "sync", "async" })
                {
                    var result = await RunPhaseAsync(phase, round, first, second, root, count, payload, manifest, parallel, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine(result.Describe(round));
                    if (!best.TryGetValue(phase, out var previous) || result.PerSecond > previous.PerSecond)
                    {
                        best[phase] = result;
                    }
                }
            }

            var single = best["single"].PerSecond;
            Console.WriteLine($"best: single {single:F0}/s, sync {best["sync"].PerSecond:F0}/s (x{best["sync"].PerSecond / single:F2}), async {best["async"].PerSecond:F0}/s (x{best["async"].PerSecond / single:F2}); async max lag {best["async"].MaxLag.TotalMilliseconds:F0} ms, drained {best["async"].Drain.TotalMilliseconds:F0} ms after the last acknowledgement");
            return 0;
        }
        finally
        {
            if (ownsRoot)
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                    // Temp folder: best effort.
                }
            }
        }
    }

    private static async Task<PhaseResult> RunPhaseAsync(string phase, int round, string? first, string? second, string root, int count, byte[] payload, byte[] manifest, int parallel, CancellationToken cancellationToken)
    {
        var prefix = $"r{round}{phase}";
        IBlobStore Site(string? connection, string folder) => connection is null
            ? new FileSystemBlobStore(Path.Combine(root, $"{prefix}-{folder}"))
            : new AzureBlobStore(ArchiveStorageAccount.CreateBlobServiceClient(connection, null, ArchiveStorageAccount.FailFast()));
        var layout = new InstanceBlobLayout(prefix, 16);
        var options = new ReplicationOptions { Mode = phase == "async" ? ReplicationMode.Asynchronous : ReplicationMode.Synchronous, CatchUpParallelism = parallel };
        var clock = TimeProvider.System;
        IBlobStore store = phase == "single"
            ? Site(first, "first")
            : new ReplicatedBlobStore(Site(first, "first"), Site(second, "second"), layout.StagingContainer, options, new ReplicaBacklog(clock, options.MaxBacklog), clock, NullLogger<ReplicatedBlobStore>.Instance);
        using var catchUp = store is ReplicatedBlobStore ? new ReplicaCatchUp(store, options, NullLogger<ReplicaCatchUp>.Instance) : null;
        if (catchUp is not null)
        {
            await catchUp.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var uid = $"1.2.826.0.1.3680043.10.1530.77.{round}.{i}";
            var staged = layout.NewStagingKey();
            using (var content = new ForwardOnlyReadStream(payload))
            {
                await store.WriteAsync(staged, content, new BlobWriteOptions { Durable = false }, ct).ConfigureAwait(false);
            }

            await store.MoveLazilyAsync(staged, layout.GetInstanceKey("1.2.3", "1.2.3.4", uid), ct).ConfigureAwait(false);
            await store.WriteIfMatchAsync(new BlobKey(layout.GrainStateContainer, $"manifest/{uid}"), manifest, null, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var drain = TimeSpan.Zero;
        var maxLag = TimeSpan.Zero;
        if (store is ReplicatedBlobStore sites)
        {
            var drained = Stopwatch.StartNew();
            while (sites.Backlog.Count > 0)
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            drain = drained.Elapsed;
            maxLag = sites.Backlog.MaxLag;
            await catchUp!.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        return new PhaseResult(phase, count / elapsed.TotalSeconds, elapsed, maxLag, drain);
    }

    private sealed record PhaseResult(string Phase, double PerSecond, TimeSpan Elapsed, TimeSpan MaxLag, TimeSpan Drain)
    {
        public string Describe(int round) => Phase switch
        {
            "single" => $"round {round} single: {PerSecond:F0} ingests/s ({Elapsed.TotalSeconds:F2} s)",
            "sync" => $"round {round} sync:   {PerSecond:F0} ingests/s ({Elapsed.TotalSeconds:F2} s); write-to-both-sites time, max {MaxLag.TotalMilliseconds:F0} ms",
            _ => $"round {round} async:  {PerSecond:F0} ingests/s ({Elapsed.TotalSeconds:F2} s); lag max {MaxLag.TotalMilliseconds:F0} ms, backlog drained {Drain.TotalMilliseconds:F0} ms after the last ack",
        };
    }
}
