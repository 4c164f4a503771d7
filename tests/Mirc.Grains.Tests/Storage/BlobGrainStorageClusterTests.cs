using Mirc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Orleans.TestingHost;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>A test grain keeping a counter through the archive provider.</summary>
public interface IStorageProbeGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();
}

/// <summary>Test grain persisting with <see cref="StorageProviders.Archive"/>.</summary>
public sealed class StorageProbeGrain([PersistentState("probe", StorageProviders.Archive)] IPersistentState<StorageProbeState> state) : Grain, IStorageProbeGrain
{
    public async Task<int> IncrementAsync()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Count);
}

/// <summary>State of <see cref="StorageProbeGrain"/>.</summary>
[GenerateSerializer]
public sealed class StorageProbeState
{
    [Id(0)]
    public int Count { get; set; }
}

/// <summary>Grains in a real (in-process) silo persist through <see cref="BlobGrainStorage"/>.</summary>
public sealed class BlobGrainStorageClusterTests : IAsyncLifetime
{
    private readonly string _root = TestEnvironment.NewTempDirectory("cluster");
    private InProcessTestCluster? _cluster;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        var root = _root;
        builder.ConfigureSilo((_, silo) =>
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Mirc:DataPath"] = root, ["Mirc:Storage:ShardCount"] = "4" })
                .Build();
            silo.Services.AddBlobStore(configuration);
            silo.AddBlobGrainStorageAsDefault();
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

        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public async Task State_survives_deactivation_and_is_a_blob_in_the_grain_state_container()
    {
        var grain = _cluster!.Client.GetGrain<IStorageProbeGrain>("probe-1");
        Assert.Equal(1, await grain.IncrementAsync());
        Assert.Equal(2, await grain.IncrementAsync());

        await _cluster.DeactivateAsync(grain);
        Assert.Equal(2, await grain.GetAsync());
        Assert.Equal(3, await grain.IncrementAsync());

        var store = new FileSystemBlobStore(Path.Combine(_root, "blobs"));
        var blobs = await store.ListAsync("mirc-grainstate", null, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        // One record, fanned out, beside the marker of that layout.
        Assert.Equal(
            [GrainStateFolderUpgrade.MarkerName, GrainStateBlobNaming.FannedOutKeyFor("mirc-grainstate", "probe", grain.GetGrainId()).Name],
            blobs.Select(b => b.Key.Name).Order(StringComparer.Ordinal));
    }
}
