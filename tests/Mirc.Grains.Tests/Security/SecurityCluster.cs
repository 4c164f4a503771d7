using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Security;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Mirc.Grains.Tests.Security;

/// <summary>One in-process silo with the security services, an inspectable "archive" storage and a manual security clock.</summary>
public class SecurityCluster : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    public InspectableGrainStorage Storage { get; init; } = new();

    /// <summary>Folder of the audit database (deleted on dispose unless <see cref="KeepData"/>).</summary>
    public string DataPath { get; init; } = Directory.CreateTempSubdirectory("mirc-audit-").FullName;

    /// <summary>Keep <see cref="DataPath"/> on dispose (a restart test reopens it).</summary>
    public bool KeepData { get; init; }

    /// <summary>The trail's store (real SQLite, with a switch on its commit path).</summary>
    public Audit.ControllableAuditStore AuditStore { get; private set; } = null!;

    /// <summary>Extra settings (override in derived fixtures).</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["Mirc:Auth:BootstrapAdministrator"] = "false",
        ["Mirc:Audit:RetryDelay"] = "00:00:00.050",
        ["Mirc:Audit:CommitAttempts"] = "2",
    };

    public IGrainFactory Grains => _cluster!.Client;

    public IServiceProvider SiloServices => _cluster!.Silos[0].ServiceProvider;

    public IAuditTrail Audit => SiloServices.GetRequiredService<IAuditTrail>();

    public IAccessControl AccessControl => SiloServices.GetRequiredService<IAccessControl>();

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        AuditStore = new Audit.ControllableAuditStore(Path.Combine(DataPath, "audit.db"));
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>("archive", Storage);
            silo.Services.AddSingleton(new SecurityClock(Clock));
            silo.Services.AddSingleton<Mirc.Grains.Audit.Store.IAuditStore>(AuditStore);
            silo.Services.AddMircSecurity(configuration);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await AuditStore.DisposeAsync();
        if (!KeepData)
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
