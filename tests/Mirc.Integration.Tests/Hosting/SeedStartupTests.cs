using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// The built silo with its demo seed, establishment 0 overridden from the environment as an operator would: the demo's
/// professional still names the demo establishment, which is no longer seeded. The start is refused with the setting
/// to change (exit code 2), not with the establishment grain's "Establishment 750000001 is not registered", and nothing
/// of that professional is saved half-way.
/// </summary>
public sealed class SeedStartupTests : IDisposable
{
    private readonly TempDataFolder _data = new();

    [Fact]
    public async Task An_overridden_establishment_whose_professional_still_names_the_old_one_is_refused_with_the_setting_to_change()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var silo = SiloProcess.Start(
            SiloProcess.OwnArguments(_data.Path),
            new Dictionary<string, string>
            {
                ["Mirc__Seed__Establishments__0__Id"] = "920000001",
                ["Mirc__Seed__Establishments__0__Name"] = "Clinique du Val",
            });
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(90));
            await silo.WaitForExitAsync(limit.Token);
        }

        Assert.Equal(2, silo.ExitCode);
        // The explanation StartupFailure prints last, on stderr (the host's own log of the failed start comes before it).
        Assert.Contains("Invalid configuration: Mirc:Seed:Professionals:0:EstablishmentId (10000000001) names establishment 750000001", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("is not registered.", silo.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
