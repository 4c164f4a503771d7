using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Access;

namespace Mirc.Api.Tests.Hosting;

/// <summary>
/// The real silo host (Orleans + HTTP surface) on a temporary data folder and free ports, so test classes can run
/// their own hosts side by side. Disposing removes the data folder.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;

    /// <summary>Creates a host; <paramref name="settings"/> are extra configuration values.</summary>
    /// <param name="settings">Extra configuration.</param>
    /// <param name="realHttp">Listen on a real loopback port (for out-of-process clients) instead of the in-memory test server.</param>
    public ApiHost(IReadOnlyDictionary<string, string>? settings = null, bool realHttp = false)
    {
        DataPath = Directory.CreateTempSubdirectory("mirc-api-").FullName;
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Mirc:DataPath"] = DataPath,
            ["Mirc:SiloPort"] = FreePort().ToString(),
            ["Mirc:GatewayPort"] = FreePort().ToString(),
            ["Mirc:Dicom:Port"] = FreePort().ToString(),
        };
        if (realHttp)
        {
            BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
            _settings["Mirc:HttpUrl"] = BaseAddress.ToString().TrimEnd('/');
            UseKestrel();
        }
    }

    /// <summary>The real listening address when created with <c>realHttp</c>, else null.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>The temporary data folder.</summary>
    public string DataPath { get; }

    /// <summary>Number of files under the data folder's blob area (to prove nothing was stored).</summary>
    public int CountStoredInstances() =>
        Directory.Exists(DataPath) ? Directory.EnumerateFiles(DataPath, "*.dcm", SearchOption.AllDirectories).Count() : 0;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        // These tests cover the HTTP surface; authentication and the access decision are the security tests' subject,
        // so the archive-wide policy stays in force even when the host registers the secure one.
        builder.ConfigureTestServices(services => services.AddSingleton<IDicomWebAccessPolicy, ArchiveWideAccessPolicy>());
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
            // Host teardown only: the DIMSE listener may be disposed twice (stopped, then disposed) by the host.
            // Nothing the API tests verify depends on it.
        }
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
