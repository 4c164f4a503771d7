using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Silo.Hosting;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>Start-up configuration errors end in one message naming the setting (checked before the host starts).</summary>
public sealed class StartupFailureTests
{
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public void A_port_in_use_is_named_with_its_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var configuration = Settings.Of(("Mirc:HttpUrl", $"http://127.0.0.1:{FreePort()}"), ("Mirc:Dicom:Port", port.ToString()),
            ("Mirc:SiloPort", FreePort().ToString()), ("Mirc:GatewayPort", FreePort().ToString()));

        var problem = StartupFailure.Check(new ServiceCollection().BuildServiceProvider(), configuration);

        Assert.NotNull(problem);
        Assert.Contains($"127.0.0.1:{port} (Mirc:Dicom:Port)", problem);
        Assert.DoesNotContain("Mirc:HttpUrl)", problem);
    }

    [Fact]
    public void The_dicom_tls_port_in_use_is_named_with_its_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var configuration = Settings.Of(("Mirc:HttpUrl", $"http://127.0.0.1:{FreePort()}"), ("Mirc:Dicom:Port", FreePort().ToString()),
            ("Mirc:Dicom:Tls:Port", port.ToString()), ("Mirc:SiloPort", FreePort().ToString()), ("Mirc:GatewayPort", FreePort().ToString()));

        var problem = StartupFailure.Check(new ServiceCollection().BuildServiceProvider(), configuration);

        Assert.NotNull(problem);
        Assert.Contains($"127.0.0.1:{port} (Mirc:Dicom:Tls:Port)", problem);
    }

    [Fact]
    public void Free_ports_and_valid_options_pass()
    {
        var configuration = Settings.Of(("Mirc:HttpUrl", $"http://127.0.0.1:{FreePort()}"), ("Mirc:Dicom:Port", FreePort().ToString()),
            ("Mirc:SiloPort", FreePort().ToString()), ("Mirc:GatewayPort", FreePort().ToString()));
        Assert.Null(StartupFailure.Check(new ServiceCollection().BuildServiceProvider(), configuration));
    }

    [Fact]
    public void An_invalid_option_is_reported_without_starting_anything()
    {
        var configuration = Settings.Of(("Mirc:SiloPort", "0"));
        var services = new ServiceCollection();
        services.AddOptions<MircHostOptions>().Bind(configuration.GetSection(MircHostOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        var problem = StartupFailure.Check(services.BuildServiceProvider(), configuration);

        Assert.NotNull(problem);
        Assert.StartsWith("Invalid configuration:", problem);
        Assert.Contains("SiloPort", problem);
    }
}
