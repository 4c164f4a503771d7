using Mirc.Integration.Tests.Hosting;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>
/// Cluster mode as shipped: Azurite (blobs and grain state, and in its tables the membership and reminders) and PostgreSQL
/// (query index), and two silo hosts A and B sharing them, each with its own data folder and DICOM port.
/// </summary>
public sealed class TwoHostCluster : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private readonly PostgresFixture _postgres = new();
    private readonly TempDataFolder _dataA = new();
    private readonly TempDataFolder _dataB = new();

    /// <summary>The storage account both silos share (Azurite).</summary>
    public string StorageConnectionString => _azurite.ConnectionString;

    public MircHostFactory HostA { get; private set; } = null!;

    public MircHostFactory HostB { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(_azurite.InitializeAsync().AsTask(), _postgres.InitializeAsync().AsTask());
        var settings = new Dictionary<string, string?>
        {
            ["Mirc:Cluster:Mode"] = "AzureStorage",
            ["Mirc:Storage:Provider"] = "Azure",
            ["Mirc:Storage:ConnectionString"] = _azurite.ConnectionString,
            // The shared key ring's certificate wrapping is tested in SharedKeyRingTests; here storage access guards it.
            ["Mirc:DataProtection:AllowUnprotectedKeys"] = "true",
            ["Mirc:Index:Provider"] = "Postgres",
            ["Mirc:Index:ConnectionString"] = await _postgres.CreateSchemaAsync(),
        };

        // A first: B joins an existing cluster, so both agree on membership before any grain is activated on B.
        HostA = new MircHostFactory(_dataA.Path, settings);
        _ = HostA.Server;
        HostB = new MircHostFactory(_dataB.Path, settings);
        _ = HostB.Server;
    }

    /// <summary>
    /// Set by a test that destroyed the membership table on purpose: the silos cannot then write their graceful leave,
    /// so their shutdown is expected to give up (any other shutdown failure still fails the run).
    /// </summary>
    public bool MembershipDestroyed { get; set; }

    public async ValueTask DisposeAsync()
    {
        // B leaves first, then A (the last silo), then the servers they used.
        await LeaveAsync(HostB);
        await LeaveAsync(HostA);

        await _postgres.DisposeAsync();
        await _azurite.DisposeAsync();
        _dataA.Dispose();
        _dataB.Dispose();
    }

    private async Task LeaveAsync(MircHostFactory? host)
    {
        if (host is null) return;
        try
        {
            await host.DisposeAsync();
        }
        catch (OperationCanceledException) when (MembershipDestroyed)
        {
            // The leave could not be recorded in a table that no longer exists.
        }
    }
}
