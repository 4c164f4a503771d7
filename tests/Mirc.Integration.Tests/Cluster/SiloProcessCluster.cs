using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>
/// Three silos as real <c>Mirc.Silo.dll</c> processes (so SIGKILL is a real crash), in AzureStorage cluster mode: Azurite
/// (blobs, grain state, membership and reminder tables) and PostgreSQL (query index, audit trail), the way
/// <c>infra/local/start-cluster.sh</c> runs them. An Orleans client in the test process asks where grains live and
/// verifies the audit chain. A killed silo is replaced by a new process on new ports.
/// </summary>
public sealed class SiloProcessCluster : IAsyncLifetime
{
    public const string CallingAe = "FAULTSCU";
    private const string ClusterId = "mirc-faults";
    private readonly AzuriteFixture _azurite = new();
    private readonly PostgresFixture _postgres = new();
    private readonly string _root = TestEnvironment.NewTempDirectory("silo-faults");
    private string WrappingCertificate => Path.Combine(_root, "key-wrapping.pfx");
    private readonly List<ClusterSilo> _silos = [];
    private string _indexConnection = "";
    private IHost? _client;
    private int _started;

    public string StorageConnectionString => _azurite.ConnectionString;

    /// <summary>The PostgreSQL query index the silos share.</summary>
    public string IndexConnectionString => _indexConnection;

    /// <summary>Silos that run (the killed ones are left out).</summary>
    public IReadOnlyList<ClusterSilo> Live => _silos.Where(s => !s.Killed).ToList();

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(_azurite.InitializeAsync().AsTask(), _postgres.InitializeAsync().AsTask());
        _indexConnection = await _postgres.CreateSchemaAsync();
        // The silos share one Data Protection key ring in blob storage, wrapped as shipped: by an RSA certificate.
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Mirc fault tests key wrapping", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            await File.WriteAllBytesAsync(WrappingCertificate, certificate.Export(X509ContentType.Pfx));
        }

        // Started together, as an orchestrator does: the membership table sorts out who founds the cluster.
        await Task.WhenAll(StartSiloAsync(), StartSiloAsync(), StartSiloAsync());

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ClusterId; });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(_azurite.ConnectionString));
        });
        _client = builder.Build();
        await _client.StartAsync();
    }

    /// <summary>Starts silos until <paramref name="count"/> run (a test that killed one leaves fewer; starting costs ~20 s).</summary>
    public async Task EnsureLiveAsync(int count)
    {
        var missing = Math.Max(0, count - Live.Count);
        await Task.WhenAll(Enumerable.Range(0, missing).Select(_ => StartSiloAsync()));
    }

    /// <summary>SIGKILL: no graceful leave, no flush, the membership must find out by itself.</summary>
    public static void Kill(ClusterSilo silo)
    {
        silo.Process.Kill(entireProcessTree: false);
        silo.Killed = true;
    }

    /// <summary>Stops the storage emulator (membership and reminder tables, blobs, grain state) gracefully.</summary>
    /// <remarks>Synchronous, for the store callback that must see the storage gone before the next store is sent.</remarks>
    public void StopStorage() => Task.Run(_azurite.StopAsync).GetAwaiter().GetResult();

    /// <summary>Starts the storage emulator again, same ports, same data.</summary>
    public Task StartStorageAgainAsync() => _azurite.RestartAsync();

    /// <summary>Lines of every silo's log (the killed ones' too) that contain <paramref name="text"/>.</summary>
    public int CountLogLines(string text) =>
        _silos.Sum(s => File.Exists(s.LogPath) ? ReadShared(s.LogPath).Count(l => l.Contains(text, StringComparison.Ordinal)) : 0);

    private static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The silo that hosts <paramref name="grain"/>'s activation, or null when none is active.</summary>
    public async Task<ClusterSilo?> HostOfAsync(IAddressable grain)
    {
        var address = await CallAsync(() => Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain).AsTask());
        return address is null ? null : _silos.SingleOrDefault(s => !s.Killed && s.SiloPort == address.Endpoint.Port);
    }

    /// <summary>
    /// A call from the test's client, retried for a bounded time: after a kill the client may still pick the dead silo's
    /// gateway until it refreshes its gateway list from the membership table.
    /// </summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is not OperationCanceledException && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Status of each silo in the membership table (Orleans.Clustering.AzureStorage: one row per silo), by silo port.</summary>
    public async Task<Dictionary<int, string>> MembershipAsync(CancellationToken ct)
    {
        var table = new TableServiceClient(_azurite.ConnectionString).GetTableClient("OrleansSiloInstances");
        var rows = new Dictionary<int, string>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            if (row.GetString("Port") is { } port && row.GetString("Status") is { } status && row.GetString("Address") == "127.0.0.1"
                && _silos.Any(s => s.SiloPort.ToString(CultureInfo.InvariantCulture) == port))
            {
                rows[int.Parse(port, CultureInfo.InvariantCulture)] = status;
            }
        }

        return rows;
    }

    private async Task StartSiloAsync()
    {
        var n = Interlocked.Increment(ref _started);
        var silo = new ClusterSilo(n, TestEnvironment.FreeLoopbackPort(), TestEnvironment.FreeLoopbackPort(), TestEnvironment.FreeLoopbackPort(), TestEnvironment.FreeLoopbackPort());
        var folder = Path.Combine(_root, $"silo-{n}");
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(SiloAssembly());
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["Mirc__HttpUrl"] = $"http://127.0.0.1:{silo.HttpPort}",
            ["Mirc__DataPath"] = Path.Combine(folder, "data"),
            ["Mirc__Dicom__Port"] = silo.DicomPort.ToString(CultureInfo.InvariantCulture),
            ["Mirc__SiloPort"] = silo.SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Mirc__GatewayPort"] = silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Mirc__ClusterId"] = ClusterId,
            ["Mirc__ServiceId"] = ClusterId,
            ["Mirc__Cluster__Mode"] = "AzureStorage",
            ["Mirc__Storage__Provider"] = "Azure",
            ["Mirc__Storage__ConnectionString"] = _azurite.ConnectionString,
            ["Mirc__Index__Provider"] = "Postgres",
            ["Mirc__Index__ConnectionString"] = _indexConnection,
            ["Mirc__DataProtection__CertificatePath"] = WrappingCertificate,
            // A pass every 2 s instead of every minute: the test waits for the survivors' reconciliation, bounded.
            ["Mirc__Archive__Ingest__ReconcileInterval"] = "00:00:02",
            // Feed events settle after 1 s instead of 10: the follower test projects a study it has just stored.
            ["Mirc__ChangeFeed__Follower__SettleDelay"] = "00:00:01",
            ["Mirc__Seed__Establishments__0__Id"] = "750000001",
            ["Mirc__Seed__Establishments__0__Name"] = "Hopital Pannes",
            ["Mirc__Seed__Establishments__0__AeTitles__0__AeTitle"] = CallingAe,
            ["Mirc__Seed__Establishments__0__AeTitles__0__Host"] = "127.0.0.1",
            ["Mirc__Seed__Establishments__0__AeTitles__0__Port"] = "0",
            ["Mirc__Seed__Establishments__0__AeTitles__0__Permissions"] = "Store, Query, Retrieve",
        };
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(Path.Combine(folder, "silo.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        silo.Process = process;
        silo.LogPath = Path.Combine(folder, "silo.log");
        lock (_silos)
        {
            _silos.Add(silo);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            Assert.False(process.HasExited, $"silo {n} exited at start-up; see {silo.LogPath}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{silo.HttpPort}/readyz")).IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"[faults] {silo} ready {deadline.Elapsed.TotalSeconds:F1} s after its start");
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"silo {n} not ready within 90 s; see {silo.LogPath}");
    }

    /// <summary>Built with the test project, in the same configuration.</summary>
    private static string SiloAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await _client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // The cluster goes away anyway.
            }

            _client.Dispose();
        }

        foreach (var silo in _silos.Where(s => !s.Process.HasExited))
        {
            silo.Process.Kill(entireProcessTree: true);
            await silo.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        foreach (var silo in _silos)
        {
            silo.Process.Dispose();
        }

        await _postgres.DisposeAsync();
        await _azurite.DisposeAsync();
        TestEnvironment.TryDeleteDirectory(_root);
    }
}

/// <summary>One silo process of a <see cref="SiloProcessCluster"/> and its ports.</summary>
public sealed class ClusterSilo(int number, int httpPort, int dicomPort, int siloPort, int gatewayPort)
{
    public int Number { get; } = number;

    public int HttpPort { get; } = httpPort;

    public int DicomPort { get; } = dicomPort;

    public int SiloPort { get; } = siloPort;

    public int GatewayPort { get; } = gatewayPort;

    public Process Process { get; set; } = null!;

    public string LogPath { get; set; } = "";

    public bool Killed { get; set; }

    public override string ToString() => $"silo {Number} (silo port {SiloPort}, dicom {DicomPort})";
}
