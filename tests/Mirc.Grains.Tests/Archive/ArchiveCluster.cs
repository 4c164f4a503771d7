using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Hosting;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Reminders;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Orleans.TestingHost;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// One in-process silo running the whole archive stack (filesystem blob store, blob grain storage, SQLite index)
/// on a temporary data folder, which survives <see cref="RestartAsync"/> so tests can check durability.
/// </summary>
public sealed class ArchiveCluster : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "mirc-archive-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Settings under <c>Mirc:</c> (override before <see cref="InitializeAsync"/>).</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["Mirc:Storage:ShardCount"] = "4",
        ["Mirc:Archive:Manifest:SegmentSize"] = "32",
        ["Mirc:Archive:Ingest:ReconcileOnStart"] = "false",
        ["Mirc:Archive:Ingest:ReconcileInterval"] = "00:00:00",
        // Completed journal slots are emptied soon after they go unused (tests look for empty staging).
        ["Mirc:Archive:Ingest:JournalSlotReuseWindow"] = "00:00:00.200",
        ["Mirc:Retention:Enabled"] = "false",
        // Tests drive the change-feed follower themselves (ProjectFeedAsync), on events however young.
        ["Mirc:ChangeFeed:Follower:Enabled"] = "false",
        ["Mirc:ChangeFeed:Follower:SettleDelay"] = "00:00:00",
    };

    /// <summary>Called on the blob store before registration (e.g. to wrap it in a counting decorator).</summary>
    public Func<IBlobStore, IBlobStore>? DecorateBlobStore { get; set; }

    /// <summary>Called on the query index after registration (e.g. to wrap it in a failing decorator).</summary>
    public Func<IQueryIndex, IQueryIndex>? DecorateIndex { get; set; }

    /// <summary>A change feed registered instead of the configured one (e.g. a no-op, to measure what the feed costs).</summary>
    public Mirc.Grains.ChangeFeed.IChangeFeed? ChangeFeed { get; set; }

    /// <summary>An extra incoming grain call filter (e.g. failure injection).</summary>
    public IIncomingGrainCallFilter? CallFilter { get; set; }

    /// <summary>The audit trail registered on the silo (survives restarts).</summary>
    public RecordingAuditTrail Audit { get; } = new();

    /// <summary>Stops study erasures after a chosen step (survives restarts; inactive by default).</summary>
    public ErasureTrap ErasureTrap { get; } = new();

    /// <summary>Grain calls received by the silo.</summary>
    public GrainCallCounter Calls { get; } = new();

    /// <summary>What the silo logs (survives restarts).</summary>
    public FakeLogCollector Logs { get; } = new();

    public IGrainFactory Grains => _cluster!.Client;

    public IServiceProvider Services => _cluster!.Silos[0].ServiceProvider;

    public IInstanceIngestor Ingestor => Services.GetRequiredService<IInstanceIngestor>();

    public IInstanceRetriever Retriever => Services.GetRequiredService<IInstanceRetriever>();

    public IQueryIndex Index => Services.GetRequiredService<IQueryIndex>();

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    public InstanceBlobLayout Layout => Services.GetRequiredService<InstanceBlobLayout>();

    public IngestReconciler Reconciler => Services.GetRequiredService<IngestReconciler>();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DataPath);
        await StartAsync();
    }

    /// <summary>
    /// Runs the change-feed follower until every projection (query index, patients' study lists, retention schedule)
    /// has applied the whole feed, as the running follower would within its poll interval.
    /// </summary>
    public async Task<ChangeFeedFollowerStatus> ProjectFeedAsync()
    {
        var follower = Grains.GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);
        for (var i = 0; i < 100; i++)
        {
            var status = await follower.CatchUpAsync(50);
            if (status.Lag == 0)
            {
                return status;
            }
        }

        throw new TimeoutException("the change-feed follower did not catch up");
    }

    /// <summary>Deactivates a grain so its next call reloads its state from storage.</summary>
    public Task DeactivateAsync(IAddressable grain) => _cluster!.DeactivateAsync(grain);

    /// <summary>Stops the silo and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    private async Task StartAsync()
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Mirc:DataPath"] = DataPath };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var decorate = DecorateBlobStore;
        var audit = Audit;
        var calls = Calls;
        var decorateIndex = DecorateIndex;
        var filter = CallFilter;
        var feed = ChangeFeed;
        var trap = ErasureTrap;
        var logs = Logs;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            if (decorate is not null)
            {
                var root = Path.Combine(DataPath, "blobs");
                silo.Services.AddSingleton(decorate(new FileSystemBlobStore(root)));
            }

            silo.Services.AddSingleton<Mirc.Grains.Interfaces.Audit.IAuditTrail>(audit);

            // Consent grains (read by research exports) run on the security layer's clock; the rest of that layer
            // (accounts, audit store) is not composed here.
            silo.Services.AddSingleton(new Mirc.Grains.Security.SecurityClock(TimeProvider.System));
            silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new FakeLoggerProvider(logs));
            silo.AddIncomingGrainCallFilter(calls);
            if (feed is not null)
            {
                silo.Services.AddSingleton(feed);
            }

            silo.AddMircArchive(configuration);
            silo.UseArchiveReminderTable();
            silo.Services.AddSingleton<Mirc.Grains.Studies.IErasureStepListener>(trap);
            if (filter is not null)
            {
                silo.AddIncomingGrainCallFilter(filter);
            }

            if (decorateIndex is not null)
            {
                var original = silo.Services.Last(d => d.ServiceType == typeof(IQueryIndex));
                silo.Services.Remove(original);
                silo.Services.AddSingleton(sp => decorateIndex((IQueryIndex)original.ImplementationFactory!(sp)));
            }
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await Index.InitializeAsync();
    }

    private async Task StopAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: temp folder.
        }
    }
}
