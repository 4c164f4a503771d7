using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Grains.Patients;

/// <summary>
/// Ingest-time patient resolution: (establishment, PatientID, IssuerOfPatientID) → regional patient id through the
/// <see cref="IPatientIdentityIndexGrain"/>; an INS in the dataset joins records of different establishments to the
/// patient already owning that INS. An INS owned by another patient than an already-linked local id is never merged
/// automatically (logged; an operator links explicitly).
/// </summary>
public sealed partial class PatientResolver
{
    private readonly IGrainFactory _grains;
    private readonly ILogger<PatientResolver> _logger;
    private readonly TimeProvider _clock;
    private readonly PatientResolutionCache? _cache;

    /// <summary>Creates the resolver.</summary>
    public PatientResolver(IGrainFactory grains, ILogger<PatientResolver> logger, TimeProvider? clock = null, PatientResolutionCache? cache = null)
    {
        _grains = grains;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _cache = cache;
    }

    /// <summary>
    /// Like <see cref="ResolveAsync"/>, but answers from the silo's <see cref="PatientResolutionCache"/> when the same
    /// identity with the same demographics was resolved recently (no grain call). <c>FromCache</c> tells the caller
    /// to <see cref="Invalidate"/> and resolve again if the study grain disagrees.
    /// </summary>
    public async ValueTask<(string RegionalPatientId, bool FromCache)> ResolveCachedAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var resolution = await ResolveOverlappedAsync(localId, ins, demographics).ConfigureAwait(false);
        await resolution.Recorded.ConfigureAwait(false);
        return (resolution.RegionalPatientId, resolution.FromCache);
    }

    /// <summary>
    /// Like <see cref="ResolveCachedAsync"/>, but answers as soon as the regional id is durably linked (identity index and
    /// INS), while the patient record's own write (local id, INS, demographics) goes on: <c>Recorded</c> completes when
    /// that write is durable. Ingest overlaps it with the study's manifest commit (a new patient's latency) and waits
    /// for it before acknowledging; a crash before the acknowledgement leaves the ingest journal intent, and the
    /// reconciliation resolves the patient again. Cached only once recorded.
    /// </summary>
    public async ValueTask<PatientResolution> ResolveOverlappedAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        if (_cache is not null && _cache.TryGet(localId, ins, demographics, out var cached))
        {
            return new PatientResolution(cached, true, Task.CompletedTask);
        }

        var (regional, attachedIns) = await LinkAsync(localId, ins).ConfigureAwait(false);
        var recorded = RecordAndRememberAsync(regional, localId, ins, attachedIns, demographics);
        return new PatientResolution(regional, false, recorded);
    }

    /// <summary>Forgets the cached resolution of <paramref name="localId"/>.</summary>
    public void Invalidate(LocalPatientId localId) => _cache?.Invalidate(localId);

    /// <summary>Returns the regional patient id for the identity, creating/linking as needed; the patient record is durable on return.</summary>
    public async Task<string> ResolveAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var (regional, attachedIns) = await LinkAsync(localId, ins);
        await _grains.Reference<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics);
        return regional;
    }

    private async Task RecordAndRememberAsync(string regional, LocalPatientId localId, NationalIdentity? ins, NationalIdentity? attachedIns, PatientDemographics demographics)
    {
        await _grains.Reference<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics);
        _cache?.Set(localId, ins, demographics, regional);
    }

    /// <summary>The regional id linked to <paramref name="localId"/> (linked now when new) and the INS it may carry.</summary>
    private async Task<(string Regional, NationalIdentity? AttachedIns)> LinkAsync(LocalPatientId localId, NationalIdentity? ins)
    {
        var index = _grains.Reference<IPatientIdentityIndexGrain>(localId.IndexKey);
        var insGrain = ins is null ? null : _grains.Reference<IInsIdentityGrain>(ins.Key);
        string regional;
        if (insGrain is null)
        {
            // No INS to prefer: get-or-link answers an existing link as a read would, in one call instead of two.
            regional = await index.GetOrLinkAsync(RegionalPatientIds.New(_clock));
        }
        else
        {
            regional = await index.GetAsync() ?? await index.GetOrLinkAsync(await insGrain.GetAsync() ?? RegionalPatientIds.New(_clock));
        }

        var attachedIns = ins;
        if (insGrain is not null)
        {
            var owner = await insGrain.GetOrClaimAsync(regional);
            if (owner != regional)
            {
                LogInsConflict(_logger, ins!.Key, owner, localId.IndexKey, regional);
                attachedIns = null;
            }
        }

        return (regional, attachedIns);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "INS {Ins} belongs to patient {Owner} but local id {LocalId} is linked to {Regional}: not merged, manual link needed")]
    private static partial void LogInsConflict(ILogger logger, string ins, string owner, string localId, string regional);
}

/// <summary>An ingest-time patient resolution: the linked regional id, whether it came from the cache, and the patient record's write.</summary>
public readonly record struct PatientResolution(string RegionalPatientId, bool FromCache, Task Recorded);
