using System.Diagnostics;
using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// A stop is bounded: the built silo, sent SIGTERM as an orchestrator does, leaves in order and exits with code 0
/// within its <c>Mirc:ShutdownTimeout</c> — on its own, before any grace period would have it killed.
/// </summary>
public sealed class ShutdownTests : IDisposable
{
    private readonly TempDataFolder _data = new();

    [Fact]
    public async Task Sigterm_stops_the_silo_in_order_within_its_shutdown_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var silo = SiloProcess.Start(SiloProcess.OwnArguments(_data.Path, "--Mirc:ShutdownTimeout=00:00:10"));
        await silo.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90), ct);

        var stopping = Stopwatch.StartNew();
        await silo.StopAsync();
        stopping.Stop();

        Assert.Equal(0, silo.ExitCode);
        // 10 s of timeout, plus the runtime's own exit: never the 30 s after which StopAsync would have killed it.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopped after {stopping.Elapsed}: {silo.Output}");
        Assert.Contains("Application is shutting down", silo.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
