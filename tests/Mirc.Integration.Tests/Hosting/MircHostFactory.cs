using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// The real silo host (Orleans + HTTP surface) on its own data folder and free ports, so several can run at once.
/// A second factory on the same data folder is a restart.
/// </summary>
public sealed class MircHostFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?>? settings;
    private readonly Action<IServiceCollection>? services;

    /// <param name="dataPath">The data folder.</param>
    /// <param name="settings">Extra configuration.</param>
    /// <param name="services">Test replacements of the host's services.</param>
    /// <param name="realHttp">Listen on a real loopback port (<see cref="HttpAddress"/>) for out-of-process HTTP clients.</param>
    public MircHostFactory(string dataPath, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool realHttp = false)
    {
        DataPath = dataPath;
        this.settings = settings;
        this.services = services;
        if (realHttp)
        {
            HttpAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            UseKestrel();
        }
    }

    public string DataPath { get; }

    /// <summary>The real listening address when created with <c>realHttp</c>, else null.</summary>
    public Uri? HttpAddress { get; }

    public int SiloPort { get; } = FreePort.Next();

    public int GatewayPort { get; } = FreePort.Next();

    public int DicomPort { get; } = FreePort.Next();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Mirc:DataPath", DataPath);
        builder.UseSetting("Mirc:SiloPort", SiloPort.ToString());
        builder.UseSetting("Mirc:GatewayPort", GatewayPort.ToString());
        builder.UseSetting("Mirc:Dicom:Port", DicomPort.ToString());
        if (HttpAddress is not null) builder.UseSetting("Mirc:HttpUrl", HttpAddress.ToString().TrimEnd('/'));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
