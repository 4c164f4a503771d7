using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// The real silo host (Orleans + HTTP surface) on its own data folder and free ports, so several can run at once.
/// A second factory on the same data folder is a restart.
/// </summary>
public sealed class MircHostFactory(
    string dataPath, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public string DataPath { get; } = dataPath;

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
