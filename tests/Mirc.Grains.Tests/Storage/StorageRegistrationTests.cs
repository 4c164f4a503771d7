using Mirc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary><c>AddMircStorage</c> binds <c>Mirc:Storage</c> / <c>Mirc:Index</c>, picks the implementations and refuses bad settings.</summary>
public sealed class StorageRegistrationTests : IDisposable
{
    private readonly string _dataPath = TestEnvironment.NewTempDirectory("di");

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_dataPath);

    private ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Mirc:DataPath"] = _dataPath };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddLogging().AddMircStorage(configuration).BuildServiceProvider();
    }

    [Fact]
    public async Task Defaults_are_the_embedded_stores_under_the_data_path()
    {
        await using var services = Build();
        var blobs = Assert.IsType<FileSystemBlobStore>(services.GetRequiredService<IBlobStore>());
        var index = Assert.IsType<SqliteQueryIndex>(services.GetRequiredService<IQueryIndex>());
        var layout = services.GetRequiredService<InstanceBlobLayout>();

        Assert.Equal(Path.Combine(_dataPath, "blobs"), blobs.RootPath);
        Assert.Equal(Path.Combine(_dataPath, "index.db"), index.DatabasePath);
        Assert.Equal(16, layout.ShardCount);
        Assert.Equal("mirc-instances-00", layout.InstanceContainers[0]);
    }

    [Fact]
    public async Task Settings_choose_azure_and_the_shard_layout()
    {
        await using var services = Build(
            ("Mirc:Storage:Provider", "Azure"),
            ("Mirc:Storage:ConnectionString", "UseDevelopmentStorage=true"),
            ("Mirc:Storage:ShardCount", "32"),
            ("Mirc:Storage:ContainerPrefix", "region1"));

        Assert.IsType<AzureBlobStore>(services.GetRequiredService<IBlobStore>());
        var layout = services.GetRequiredService<InstanceBlobLayout>();
        Assert.Equal(32, layout.ShardCount);
        Assert.Equal("region1-grainstate", layout.GrainStateContainer);
    }

    [Theory]
    [InlineData("Mirc:Storage:Provider", "Azure", "ConnectionString or Mirc:Storage:AccountUri")]
    [InlineData("Mirc:Storage:ShardCount", "0", "ShardCount")]
    [InlineData("Mirc:Storage:ContainerPrefix", "Bad_Prefix", "ContainerPrefix")]
    public async Task Invalid_blob_settings_fail_validation(string key, string value, string expected)
    {
        await using var services = Build((key, value));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BlobStorageOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_without_connection_string_fails_validation()
    {
        await using var services = Build(("Mirc:Index:Provider", "Postgres"));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<QueryIndexOptions>>().Value);
        Assert.Contains("Mirc:Index:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_folder_makes_the_store_two_sites_synchronous_by_default()
    {
        var second = Path.Combine(_dataPath, "..", Path.GetFileName(_dataPath) + "-second");
        await using var services = Build(("Mirc:Replication:SecondSitePath", second));
        var sites = Assert.IsType<ReplicatedBlobStore>(services.GetRequiredService<IBlobStore>());

        Assert.Equal(ReplicationMode.Synchronous, sites.Mode);
        Assert.Equal(Path.GetFullPath(second), Assert.IsType<FileSystemBlobStore>(sites.Second).RootPath);
        Assert.False(sites.IsReplicated(services.GetRequiredService<InstanceBlobLayout>().StagingContainer));
        TestEnvironment.TryDeleteDirectory(second);
    }

    [Theory]
    [InlineData("Mirc:Replication:SecondSitePath", "{data}/blobs", "is, contains or lies inside the first site")]
    [InlineData("Mirc:Replication:SecondSitePath", "{data}/blobs/mirror", "is, contains or lies inside the first site")]
    [InlineData("Mirc:Replication:SecondSiteConnectionString", "UseDevelopmentStorage=true", "filesystem storage needs SecondSitePath")]
    public async Task A_second_site_that_is_not_another_place_fails_validation(string key, string value, string expected)
    {
        await using var services = Build((key, value.Replace("{data}", _dataPath, StringComparison.Ordinal)));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ReplicationOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_needs_a_second_account_that_is_not_the_first()
    {
        await using var services = Build(
            ("Mirc:Storage:Provider", "Azure"),
            ("Mirc:Storage:ConnectionString", "UseDevelopmentStorage=true"),
            ("Mirc:Replication:SecondSiteConnectionString", "UseDevelopmentStorage=true"));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ReplicationOptions>>().Value);
        Assert.Contains("the first storage account itself", error.Message, StringComparison.Ordinal);
    }
}
