using Microsoft.Extensions.Logging;
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
    public ValueTask<(string RegionalPatientId, bool FromCache)> ResolveCachedAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        if (_cache is not null && _cache.TryGet(localId, ins, demographics, out var cached))
        {
            return ValueTask.FromResult((cached, true));
        }

        return ResolveAndRememberAsync(localId, ins, demographics);
    }

    /// <summary>Forgets the cached resolution of <paramref name="localId"/>.</summary>
    public void Invalidate(LocalPatientId localId) => _cache?.Invalidate(localId);

    private async ValueTask<(string, bool)> ResolveAndRememberAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var regional = await ResolveAsync(localId, ins, demographics);
        _cache?.Set(localId, ins, demographics, regional);
        return (regional, false);
    }

    /// <summary>Returns the regional patient id for the identity, creating/linking as needed; the patient record is durable on return.</summary>
    public async Task<string> ResolveAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var index = _grains.GetGrain<IPatientIdentityIndexGrain>(localId.IndexKey);
        var insGrain = ins is null ? null : _grains.GetGrain<IInsIdentityGrain>(ins.Key);
        var regional = await index.GetAsync();
        if (regional is null)
        {
            var viaIns = insGrain is null ? null : await insGrain.GetAsync();
            regional = await index.GetOrLinkAsync(viaIns ?? RegionalPatientIds.New(_clock));
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

        await _grains.GetGrain<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics);
        return regional;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "INS {Ins} belongs to patient {Owner} but local id {LocalId} is linked to {Regional}: not merged, manual link needed")]
    private static partial void LogInsConflict(ILogger logger, string ins, string owner, string localId, string regional);
}
