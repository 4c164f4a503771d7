using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary>
/// The loader's place in the host's life: keys loaded before the start returns; a stop that comes after the container
/// disposed the loader (the minimal-hosting entry point and the host's owner both stop the host) is not an error.
/// </summary>
public sealed class SigningKeyRingLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mirc-keys-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider()).BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Keys_are_loaded_at_start_and_a_stop_after_disposal_is_quiet()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ring = new SigningKeyRing(Options.Create(new MircAuthOptions { KeyPath = Path.Combine(_folder, "signing-keys.json") }),
            TimeProvider.System, NullLogger<SigningKeyRing>.Instance, _services);
        var loader = new SigningKeyRingLoader(ring, TimeProvider.System, NullLogger<SigningKeyRingLoader>.Instance);

        await loader.StartAsync(ct);
        Assert.False(string.IsNullOrEmpty(ring.ActiveKeyId));

        await loader.StopAsync(ct);
        loader.Dispose();
        await loader.StopAsync(ct);
    }
}
