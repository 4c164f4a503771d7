using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// A second silo started on a data folder a running silo uses is refused before it starts — one message, exit code 2 —
/// and the running silo goes on serving.
/// </summary>
public sealed class DataFolderInUseTests : IDisposable
{
    private readonly TempDataFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_second_silo_on_a_data_folder_in_use_is_refused_with_one_message_and_the_first_serves_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = SiloPorts.Free();
        await using var first = SiloProcess.Start(SiloProcess.OwnArguments(_data.Path, ports));
        await first.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90), ct);

        await using var second = SiloProcess.Start(SiloProcess.OwnArguments(_data.Path));
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            await second.WaitForExitAsync(limit.Token);
        }

        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"The data folder {_data.Path} is in use by another process", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Ingest reconciliation", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Http}"), Timeout = TimeSpan.FromSeconds(10) };
        using var ready = await http.GetAsync("/readyz", ct);
        Assert.True(ready.IsSuccessStatusCode, $"{ready.StatusCode}: {first.Output}");
    }
}
