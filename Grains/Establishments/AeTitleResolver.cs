using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Establishments;

/// <summary>
/// Fast calling-AE-title → establishment lookup for the DIMSE listener: answers from a per-process cache and asks the
/// <see cref="IAeTitleRegistryGrain"/> at most once per known title per <see cref="AeTitleResolverOptions.CacheDuration"/>.
/// Why a stale answer stays safe: unknown titles are never cached (a title registered on any silo is accepted at once),
/// and a cached title only routes the association to its establishment's proxy, which re-reads the establishment's AE
/// configuration on every association — a title removed or moved is refused there (and then forgotten here).
/// Singleton, thread-safe.
/// </summary>
public sealed class AeTitleResolver
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _ttl;
    private readonly ConcurrentDictionary<string, (AeTitleRegistration Registration, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates the resolver.</summary>
    public AeTitleResolver(IGrainFactory grains, IOptions<AeTitleResolverOptions> options, TimeProvider? clock = null)
    {
        _grains = grains;
        _clock = clock ?? TimeProvider.System;
        _ttl = options.Value.CacheDuration;
    }

    /// <summary>The registration of <paramref name="aeTitle"/>, or null when unknown.</summary>
    public async ValueTask<AeTitleRegistration?> ResolveAsync(string aeTitle, CancellationToken cancellationToken = default)
    {
        var title = AeTitles.Normalize(aeTitle);
        var now = _clock.GetUtcNow();
        if (_cache.TryGetValue(title, out var hit) && hit.Expires > now)
        {
            return hit.Registration;
        }

        var registration = await _grains.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey)
            .ResolveAsync(title).WaitAsync(cancellationToken);
        if (registration is null)
        {
            _cache.TryRemove(title, out _);
        }
        else
        {
            _cache[title] = (registration, now + _ttl);
        }

        return registration;
    }

    /// <summary>Drops cached answers (all, or one title) — call after changing an establishment's AE titles on this node.</summary>
    public void Invalidate(string? aeTitle = null)
    {
        if (aeTitle is null)
        {
            _cache.Clear();
        }
        else
        {
            _cache.TryRemove(AeTitles.Normalize(aeTitle), out _);
        }
    }
}
