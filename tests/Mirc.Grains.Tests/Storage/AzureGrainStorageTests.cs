using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Tests.Archive;
using Mirc.Testing;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// Azure mode's grain state on Azurite: Orleans' blob grain storage in Orleans' binary format, and state written by our
/// former provider (<see cref="BlobGrainStorage"/>) taken over on first read, with the ETag rules intact.
/// </summary>
public sealed class AzureGrainStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    // A container prefix of its own per test: the Azurite server is shared by the class.
    private readonly string _prefix = "gs" + Guid.NewGuid().ToString("N")[..10];
    private InProcessTestCluster? _cluster;

    private IServiceProvider Silo => _cluster!.Silos[0].ServiceProvider;

    private IGrainStorage Archive => Silo.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive);

    private string StateContainer => $"{_prefix}-grainstate";

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mirc:Storage:Provider"] = "Azure",
            ["Mirc:Storage:ConnectionString"] = azurite.ConnectionString,
            ["Mirc:Storage:ContainerPrefix"] = _prefix,
            ["Mirc:Storage:ShardCount"] = "1",
        };
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddBlobStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            silo.AddAzureArchiveGrainStorage();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Our former provider on the same account and container, as the previous version wrote state.</summary>
    private BlobGrainStorage Former(IBlobStore? store = null) => new(
        "former", store ?? new AzureBlobStore(azurite.CreateServiceClient()), new InstanceBlobLayout(_prefix, 1),
        Silo.GetRequiredService<Serializer>(), NullLogger<BlobGrainStorage>.Instance);

    private async Task<List<string>> StateBlobNamesAsync()
    {
        var container = azurite.CreateServiceClient().GetBlobContainerClient(StateContainer);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, TestContext.Current.CancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static GrainId Probe(string key) => GrainId.Create("storageprobe", key);

    [Fact]
    public async Task Grain_state_is_an_orleans_blob_in_the_binary_format_and_survives_deactivation()
    {
        var grain = _cluster!.Client.GetGrain<IStorageProbeGrain>("probe-a");
        Assert.Equal(1, await grain.IncrementAsync());
        Assert.Equal(2, await grain.IncrementAsync());
        await _cluster.DeactivateAsync(grain);
        Assert.Equal(2, await grain.GetAsync());

        var name = Assert.Single(await StateBlobNamesAsync());
        Assert.Equal($"probe-{grain.GetGrainId()}.json", name);
        var content = (await azurite.CreateServiceClient().GetBlobContainerClient(StateContainer).GetBlobClient(name)
            .DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray();
        // Orleans' own format (field ids, no CLR type names), read back by the serializer, not JSON text.
        Assert.NotEqual((byte)'{', content[0]);
        Assert.DoesNotContain("StorageProbeState", System.Text.Encoding.UTF8.GetString(content), StringComparison.Ordinal);
        Assert.Equal(2, Silo.GetRequiredService<Serializer>().Deserialize<StorageProbeState>(content)!.Count);
    }

    [Fact]
    public void The_journaled_name_is_the_same_provider()
    {
        Assert.IsType<MigratingGrainStorage>(Archive);
        Assert.Same(Archive, Silo.GetRequiredKeyedService<IGrainStorage>(StorageProviders.ArchiveJournaled));
    }

    [Fact]
    public async Task State_written_by_the_former_provider_is_found_then_lives_in_the_new_provider_only()
    {
        var former = Former();
        var grainId = Probe("migrated-1");
        await former.WriteStateAsync("probe", grainId, new GrainState<StorageProbeState>(new StorageProbeState { Count = 41 }));
        Assert.Equal(["probe/storageprobe/migrated-1" + GrainStateBlobNaming.FramedSuffix], await StateBlobNamesAsync());

        var grain = _cluster!.Client.GetGrain<IStorageProbeGrain>("migrated-1");
        Assert.Equal(41, await grain.GetAsync());
        Assert.Equal(42, await grain.IncrementAsync());
        await _cluster.DeactivateAsync(grain);
        Assert.Equal(42, await grain.GetAsync());

        Assert.Equal([$"probe-{grainId}.json"], await StateBlobNamesAsync());
        var leftover = new GrainState<StorageProbeState>();
        await former.ReadStateAsync("probe", grainId, leftover);
        Assert.False(leftover.RecordExists);
    }

    [Fact]
    public async Task A_new_grain_reads_the_former_name_only_of_a_state_that_still_has_former_records()
    {
        var formerStore = new CountingBlobStore(new AzureBlobStore(azurite.CreateServiceClient()));
        var storage = await ProviderOnAsync(azurite.CreateServiceClient(), formerStore);
        await Former().WriteStateAsync("probe", Probe("old-1"), new GrainState<StorageProbeState>(new StorageProbeState { Count = 9 }));

        // No former record of "fresh": after one listing, a miss is one read of the current name.
        for (var i = 0; i < 3; i++)
        {
            var fresh = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync("fresh", Probe($"new-{i}"), fresh);
            Assert.False(fresh.RecordExists);
        }

        Assert.Empty(formerStore.WholeReads);

        // "probe" still has one: a miss looks at the former name too, and the former record is found and moved.
        var missing = new GrainState<StorageProbeState>();
        await storage.ReadStateAsync("probe", Probe("new-x"), missing);
        Assert.False(missing.RecordExists);
        Assert.NotEmpty(formerStore.WholeReads);
        var old = new GrainState<StorageProbeState>();
        await storage.ReadStateAsync("probe", Probe("old-1"), old);
        Assert.Equal(9, old.State!.Count);
        Assert.Equal([$"probe-{Probe("old-1")}.json"], await StateBlobNamesAsync());
    }

    [Fact]
    public async Task A_moved_record_keeps_the_etag_rules_a_concurrent_write_is_refused()
    {
        var grainId = Probe("migrated-2");
        await Former().WriteStateAsync("probe", grainId, new GrainState<StorageProbeState>(new StorageProbeState { Count = 7 }));

        // Two readers at once (a grain activated twice during a membership change): one moves it, both see one record.
        var first = new GrainState<StorageProbeState>();
        var second = new GrainState<StorageProbeState>();
        await Task.WhenAll(Archive.ReadStateAsync("probe", grainId, first), Archive.ReadStateAsync("probe", grainId, second));
        Assert.True(first.RecordExists && second.RecordExists);
        Assert.Equal(7, first.State!.Count);
        Assert.Equal(7, second.State!.Count);
        Assert.NotNull(first.ETag);
        Assert.Equal(first.ETag, second.ETag);

        first.State!.Count = 8;
        await Archive.WriteStateAsync("probe", grainId, first);
        second.State!.Count = 100;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Archive.WriteStateAsync("probe", grainId, second));

        var stored = new GrainState<StorageProbeState>();
        await Archive.ReadStateAsync("probe", grainId, stored);
        Assert.Equal(8, stored.State!.Count);
        Assert.Equal(first.ETag, stored.ETag);

        // A create where a record exists is refused too.
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Archive.WriteStateAsync("probe", grainId, new GrainState<StorageProbeState>(new StorageProbeState { Count = 1 })));
    }

    [Fact]
    public async Task A_cleared_record_stays_cleared_even_if_its_former_blob_was_left_behind()
    {
        var former = Former();
        var grainId = Probe("migrated-3");
        await former.WriteStateAsync("probe", grainId, new GrainState<StorageProbeState>(new StorageProbeState { Count = 5 }));
        var state = new GrainState<StorageProbeState>();
        await Archive.ReadStateAsync("probe", grainId, state);
        Assert.Equal(5, state.State!.Count);

        // As if the delete after the move had failed: the former blob is there again.
        await former.WriteStateAsync("probe", grainId, new GrainState<StorageProbeState>(new StorageProbeState { Count = 5 }));
        await Archive.ClearStateAsync("probe", grainId, state);

        var read = new GrainState<StorageProbeState>();
        await Archive.ReadStateAsync("probe", grainId, read);
        Assert.False(read.RecordExists);
        Assert.Equal(0, read.State!.Count);
        Assert.Empty(await StateBlobNamesAsync());
    }

    // Bounded: before the keys were encoded, "../" sent the write to another container and Orleans' provider recursed
    // without end, creating its own container and retrying.
    [Fact(Timeout = 120_000)]
    public async Task Awkward_grain_keys_each_keep_their_own_record_inside_the_state_container()
    {
        string[] keys = ["../../etc/passwd", "a/b c", ".hidden", "é\u00e8\u4e2d", "%41", "x?y#z", "1.2.840.10008"];
        foreach (var key in keys)
        {
            await Archive.WriteStateAsync("probe", Probe(key), new GrainState<StorageProbeState>(new StorageProbeState { Count = key.Length }))
                .WaitAsync(TestContext.Current.CancellationToken);
        }

        foreach (var key in keys)
        {
            var read = new GrainState<StorageProbeState>();
            await Archive.ReadStateAsync("probe", Probe(key), read).WaitAsync(TestContext.Current.CancellationToken);
            Assert.True(read.RecordExists, key);
            Assert.Equal(key.Length, read.State!.Count);
        }

        var names = await StateBlobNamesAsync();
        Assert.Equal(keys.Length, names.Count);
        Assert.All(names, n => Assert.Matches("^probe-storageprobe/[^/]+\\.json$", n));
        Assert.Contains("probe-storageprobe/1.2.840.10008.json", names);
    }

    [Fact]
    public async Task A_write_whose_response_was_lost_succeeds_on_its_retry_and_a_real_conflict_is_still_one()
    {
        var losses = new List<string>();
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.Mode = RetryMode.Fixed;
        options.AddPolicy(new AzureRetriedWriteTests.LoseFirstPutResponse("probe-storageprobe/lost", losses), HttpPipelinePosition.PerRetry);
        var lossy = await ProviderOnAsync(new BlobServiceClient(azurite.ConnectionString, options));
        var grainId = Probe("lost-1");

        var state = new GrainState<StorageProbeState>(new StorageProbeState { Count = 3 });
        await lossy.WriteStateAsync("probe", grainId, state);

        Assert.Single(losses);
        var stored = new GrainState<StorageProbeState>();
        await Archive.ReadStateAsync("probe", grainId, stored);
        Assert.Equal(3, stored.State!.Count);
        Assert.Equal(stored.ETag, state.ETag);

        // The version handed back is the live one; a write of other content on a stale ETag is still refused.
        var stale = new GrainState<StorageProbeState>(new StorageProbeState { Count = 99 }) { ETag = state.ETag };
        state.State!.Count = 4;
        await lossy.WriteStateAsync("probe", grainId, state);
        await Assert.ThrowsAsync<InconsistentStateException>(() => lossy.WriteStateAsync("probe", grainId, stale));
    }

    /// <summary>Today's provider stack (Orleans' blob provider behind <see cref="MigratingGrainStorage"/>) on <paramref name="client"/>.</summary>
    private async Task<IGrainStorage> ProviderOnAsync(BlobServiceClient client, IBlobStore? formerStore = null)
    {
        var serializer = Silo.GetRequiredService<Serializer>();
        var options = new AzureBlobStorageOptions
        {
            BlobServiceClient = client,
            ContainerName = StateContainer,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer),
        };
        var containers = options.BuildContainerFactory(Silo, options);
        await containers.InitializeAsync(client);
        var orleans = new AzureBlobGrainStorage("lossy", options, containers, Silo.GetRequiredService<IActivatorProvider>(), NullLogger<AzureBlobGrainStorage>.Instance);
        return new MigratingGrainStorage("archive", orleans, Former(formerStore), serializer, NullLogger<MigratingGrainStorage>.Instance);
    }
}
