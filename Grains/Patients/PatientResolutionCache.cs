using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Grains.Patients;

/// <summary>
/// Per-silo memory of ingest patient resolutions, keyed by local id (establishment, issuer, PatientID). An entry is
/// used only when the INS and demographics of the incoming instance are the ones already registered (so nothing would
/// be written) and it is younger than <see cref="IngestOptions.PatientCacheLifetime"/>; it saves the three grain calls
/// of a resolution on every instance of a series. Manual link/unlink invalidates it on the silo that runs the
/// operation; on other silos the lifetime bounds staleness, and the study grain's patient check catches the rest.
/// </summary>
public sealed class PatientResolutionCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;

    /// <summary>Creates the cache.</summary>
    public PatientResolutionCache(IOptions<IngestOptions> options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock ?? TimeProvider.System;
        _lifetime = options.Value.PatientCacheLifetime;
        _capacity = options.Value.PatientCacheCapacity;
    }

    /// <summary>Number of entries (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>The cached regional patient id when the identity and demographics are unchanged and the entry is fresh.</summary>
    public bool TryGet(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, out string regionalPatientId)
    {
        if (_lifetime > TimeSpan.Zero
            && _entries.TryGetValue(localId.IndexKey, out var entry)
            && entry.Expires > _clock.GetUtcNow()
            && Equals(entry.Ins, ins)
            && entry.Demographics.Equals(demographics))
        {
            regionalPatientId = entry.RegionalPatientId;
            return true;
        }

        regionalPatientId = string.Empty;
        return false;
    }

    /// <summary>Remembers a resolution whose patient record is durable.</summary>
    public void Set(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, string regionalPatientId)
    {
        if (_lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        if (_entries.Count >= _capacity)
        {
            // Expired entries are never read again but stay until removed: a stream of new patients would otherwise
            // keep the cache at its capacity. One sweep per fill (amortised O(1) per Set); a cache still full of
            // fresh entries starts over.
            RemoveExpired(now);
            if (_entries.Count >= _capacity)
            {
                _entries.Clear();
            }
        }

        _entries[localId.IndexKey] = new Entry(regionalPatientId, ins, demographics, now + _lifetime);
    }

    /// <summary>Forgets the resolution of one local id (manual link/unlink, patient mismatch).</summary>
    public void Invalidate(LocalPatientId localId) => _entries.TryRemove(localId.IndexKey, out _);

    /// <summary>Forgets every resolution pointing to <paramref name="regionalPatientId"/> (its identities changed).</summary>
    public void InvalidatePatient(string regionalPatientId)
    {
        foreach (var (key, entry) in _entries)
        {
            if (string.Equals(entry.RegionalPatientId, regionalPatientId, StringComparison.Ordinal))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(string RegionalPatientId, NationalIdentity? Ins, PatientDemographics Demographics, DateTimeOffset Expires);
}
