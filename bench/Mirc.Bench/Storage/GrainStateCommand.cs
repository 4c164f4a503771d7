using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Bench.Cli;
using Mirc.Bench.Measurement;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Mirc.Bench.Storage;

/// <summary>
/// <c>grain-state --connection-string CS</c>: grain-state latency on an Azure storage account (Azurite locally) of our
/// former blob provider (<see cref="BlobGrainStorage"/> on <see cref="AzureBlobStore"/>) and of Azure mode's provider
/// today (Orleans' <see cref="AzureBlobGrainStorage"/>, binary serializer, behind <see cref="MigratingGrainStorage"/>).
/// </summary>
public static class GrainStateCommand
{
    /// <summary>Text printed for <c>grain-state --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench grain-state --connection-string CS [--grains N] [--writes W] [--entries E] [--parallel K]
          --connection-string CS  storage account (e.g. Azurite's development account on loopback)
          --grains N              grain records per provider (default 200)
          --writes W              successive conditional writes per record (default 5)
          --entries E             UIDs in each state (default 50: a small manifest segment, ~3.5 KB)
          --parallel K            concurrent grains (default 8)
        phases per provider: create (first write of a record), update (write with the ETag of the previous one),
        read (existing record), read-missing (no record); for today's provider also move (first read of a record the
        former provider wrote: read miss, former read, create, former delete).
        """;

    /// <summary>Runs the phases for both providers and prints one line per phase.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        int grains = 200, writes = 5, entries = 50, parallel = 8;
        string? connectionString = null;
        var arguments = new OptionReader(args);
        while (arguments.MoveNext())
        {
            switch (arguments.Name)
            {
                case "--connection-string": connectionString = arguments.Value(); break;
                case "--grains": grains = arguments.Positive(); break;
                case "--writes": writes = arguments.Positive(); break;
                case "--entries": entries = arguments.Positive(); break;
                case "--parallel": parallel = arguments.Positive(); break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw arguments.Unknown();
            }
        }

        if (connectionString is null)
        {
            throw new ArgumentException("--connection-string is required");
        }

        grains = (grains + parallel - 1) / parallel * parallel;

        await using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var client = new BlobServiceClient(connectionString);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var layout = new InstanceBlobLayout(prefix, 1);
        var former = new BlobGrainStorage("former", new AzureBlobStore(client), layout, serializer, NullLogger<BlobGrainStorage>.Instance);

        var options = new AzureBlobStorageOptions
        {
            BlobServiceClient = client,
            ContainerName = layout.GrainStateContainer,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer),
        };
        var containers = options.BuildContainerFactory(services, options);
        await containers.InitializeAsync(client).ConfigureAwait(false);
        var orleans = new AzureBlobGrainStorage("bench", options, containers, services.GetRequiredService<IActivatorProvider>(), NullLogger<AzureBlobGrainStorage>.Instance);
        var current = new MigratingGrainStorage("archive", orleans, former, serializer, NullLogger<MigratingGrainStorage>.Instance);

        var state = Enumerable.Range(0, entries).Select(i => $"1.2.826.0.1.3680043.10.1234.{i}.{Environment.TickCount64}.1.{i * 7919}").ToList();
        Console.Error.WriteLine(FormattableString.Invariant(
            $"grain-state: {grains} records x {writes} writes, {entries} entries ({serializer.SerializeToArray(state).Length} B serialized), {parallel} in parallel, containers {prefix}-*"));
        try
        {
            // Warm-up of both (JIT, connections), not printed: otherwise whichever runs first pays for it.
            await MeasureProviderAsync("warm-former", former, parallel * 4, 2, state, parallel, cancellationToken, print: false).ConfigureAwait(false);
            await MeasureProviderAsync("warm-orleans", current, parallel * 4, 2, state, parallel, cancellationToken, print: false).ConfigureAwait(false);
            await MeasureProviderAsync("former", former, grains, writes, state, parallel, cancellationToken).ConfigureAwait(false);
            await MeasureProviderAsync("orleans", current, grains, writes, state, parallel, cancellationToken).ConfigureAwait(false);

            // Records the former provider wrote, each read once by today's provider (which moves it).
            await ForEachAsync(grains, parallel, i => former.WriteStateAsync("s", Grain("move", i), new GrainState<List<string>>([.. state])), cancellationToken).ConfigureAwait(false);
            Print("orleans", await MeasureAsync("move", grains, parallel, i => current.ReadStateAsync("s", Grain("move", i), new GrainState<List<string>>()), cancellationToken).ConfigureAwait(false));
            return 0;
        }
        finally
        {
            await client.GetBlobContainerClient(layout.GrainStateContainer).DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static GrainId Grain(string run, int i) => GrainId.Create("study", $"1.2.826.0.1.3680043.10.{run}.{i}");

    private static async Task MeasureProviderAsync(string provider, IGrainStorage storage, int grains, int writes, List<string> state, int parallel, CancellationToken cancellationToken, bool print = true)
    {
        void Print(string name, PhaseResult r)
        {
            if (print) GrainStateCommand.Print(name, r);
        }

        var records = new GrainState<List<string>>[grains];
        Print(provider, await MeasureAsync("create", grains, parallel, async i =>
        {
            records[i] = new GrainState<List<string>>([.. state]);
            await storage.WriteStateAsync("s", Grain(provider, i), records[i]).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false));
        // Worker k takes operations k, k+K, …; grains being a multiple of K, record n % grains is only ever written by
        // one worker, in order, each write with the ETag of the one before.
        Print(provider, await MeasureAsync("update", grains * writes, parallel,
            n => storage.WriteStateAsync("s", Grain(provider, n % grains), records[n % grains]), cancellationToken).ConfigureAwait(false));
        Print(provider, await MeasureAsync("read", grains, parallel, i => storage.ReadStateAsync("s", Grain(provider, i), new GrainState<List<string>>()), cancellationToken).ConfigureAwait(false));
        Print(provider, await MeasureAsync("read-missing", grains, parallel, i => storage.ReadStateAsync("s", Grain(provider + "-none", i), new GrainState<List<string>>()), cancellationToken).ConfigureAwait(false));
    }

    private static void Print(string provider, PhaseResult r) =>
        Console.WriteLine(FormattableString.Invariant(
            $"{provider,-8} {r.Name,-13} {r.Count,6}: {r.Count / r.Elapsed.TotalSeconds,7:0} /s  p50 {r.P50,6:0.00} ms  p99 {r.P99,7:0.00} ms  ({r.Elapsed.TotalSeconds:0.00} s, load {LoadAverage.OneMinute():0.0})"));

    private static Task ForEachAsync(int count, int parallel, Func<int, Task> operation, CancellationToken cancellationToken) =>
        MeasureAsync("setup", count, parallel, operation, cancellationToken);

    private static async Task<PhaseResult> MeasureAsync(string name, int count, int parallel, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(k => Task.Run(async () =>
        {
            for (var i = k; i < count; i += parallel)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                await operation(i).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, cancellationToken));
        await Task.WhenAll(workers).ConfigureAwait(false);
        wall.Stop();
        Array.Sort(latencies);
        return new PhaseResult(name, count, wall.Elapsed, Percentile.NearestRank(latencies, 50), Percentile.NearestRank(latencies, 99));
    }

    private sealed record PhaseResult(string Name, int Count, TimeSpan Elapsed, double P50, double P99);
}
