using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary>
/// The rotation path over time: a superseded signing key keeps validating for as long as a token it signed can live
/// (token lifetime + clock skew + a margin), then it is dropped; rotation falls due after the rotation interval. And the
/// loader that keeps a host's ring loaded.
/// </summary>
public sealed class SigningKeyExpiryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mirc-keys-").FullName;
    private readonly Clock _clock = new(DateTimeOffset.Parse("2026-12-03T00:00:00Z"));
    private readonly MircAuthOptions _options;
    private readonly ServiceProvider _services;

    public SigningKeyExpiryTests()
    {
        _options = new MircAuthOptions
        {
            KeyPath = Path.Combine(_folder, "signing-keys.json"), TokenLifetime = TimeSpan.FromMinutes(30),
            ClockSkew = TimeSpan.FromSeconds(30), KeyRotationInterval = TimeSpan.FromDays(90),
        };
        _services = new ServiceCollection().AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider()).BuildServiceProvider();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_superseded_key_validates_until_its_last_token_expired_then_is_dropped()
    {
        using var ring = Ring();
        await ring.LoadAsync(Ct);
        var first = ring.ActiveKeyId;
        var second = await ring.RotateAsync(Ct);

        // 30 min + 30 s later, a token signed by the first key just before the rotation may still be presented.
        _clock.Advance(TimeSpan.FromMinutes(31));
        using (var restarted = Ring())
        {
            await restarted.LoadAsync(Ct);
            Assert.Equal(second, restarted.ActiveKeyId);
            Assert.Equal([first, second], restarted.ValidationKeys.Select(k => k.KeyId));
        }

        // Past lifetime + skew + 5 min margin: nothing the first key signed is valid any more.
        _clock.Advance(TimeSpan.FromMinutes(5));
        using (var restarted = Ring())
        {
            await restarted.LoadAsync(Ct);
            Assert.Equal([second], restarted.ValidationKeys.Select(k => k.KeyId));
        }
    }

    [Fact]
    public async Task Rotation_falls_due_after_the_rotation_interval()
    {
        using var ring = Ring();
        await ring.LoadAsync(Ct);
        _clock.Advance(TimeSpan.FromDays(89));
        Assert.False(ring.IsRotationDue);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.True(ring.IsRotationDue);
    }

    [Fact]
    public async Task The_loader_loads_the_keys_at_start_and_a_stop_after_its_disposal_is_quiet()
    {
        // With a minimal-hosting entry point, its run loop and the host's owner both stop the host; the second stop can
        // reach the loader after the container disposed it.
        using var ring = Ring();
        var loader = new SigningKeyRingLoader(ring, _clock, NullLogger<SigningKeyRingLoader>.Instance);
        await loader.StartAsync(Ct);
        Assert.False(string.IsNullOrEmpty(ring.ActiveKeyId));

        await loader.StopAsync(Ct);
        loader.Dispose();
        await loader.StopAsync(Ct);
    }

    private SigningKeyRing Ring() => new(Options.Create(_options), _clock, NullLogger<SigningKeyRing>.Instance, _services);

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
