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
    private readonly bool _firstRecordsJoinCallerFlush;

    /// <summary>Creates the resolver.</summary>
    /// <param name="grains">Grain factory.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="clock">Clock of new regional ids.</param>
    /// <param name="cache">Recent resolutions of this silo.</param>
    /// <param name="firstRecordsJoinCallerFlush">
    /// The archive's grain state is written to the blob store the ingest flushes, and that flush covers lazy writes
    /// (<see cref="Storage.GrainState.BlobGrainStorage.FirstRecordsJoinCallerFlush"/>): see <see cref="ResolveBeforeFlushAsync"/>.
    /// </param>
    public PatientResolver(IGrainFactory grains, ILogger<PatientResolver> logger, TimeProvider? clock = null, PatientResolutionCache? cache = null, bool firstRecordsJoinCallerFlush = false)
    {
        _grains = grains;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _cache = cache;
        _firstRecordsJoinCallerFlush = firstRecordsJoinCallerFlush;
    }

    /// <summary>
    /// Like <see cref="ResolveAsync"/>, but answers from the silo's <see cref="PatientResolutionCache"/> when the same
    /// identity with the same demographics was resolved recently (no grain call). <c>FromCache</c> tells the caller
    /// to <see cref="Invalidate"/> and resolve again if the study grain disagrees.
    /// </summary>
    public async ValueTask<(string RegionalPatientId, bool FromCache)> ResolveCachedAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var resolution = await ResolveCoreAsync(localId, ins, demographics, beforeCallerFlush: false).ConfigureAwait(false);
        await resolution.Recorded.ConfigureAwait(false);
        return (resolution.RegionalPatientId, resolution.FromCache);
    }

    /// <summary>Whether <see cref="ResolveBeforeFlushAsync"/> may write a new patient's link and record for the caller's flush to make durable.</summary>
    public bool FirstRecordsJoinCallerFlush => _firstRecordsJoinCallerFlush;

    /// <summary>
    /// Like <see cref="ResolveCachedAsync"/>, for the ingest, which flushes the blob store next (one round makes its journal
    /// intent and staged data durable): answers once the regional id is linked, while the patient record's write (local
    /// id, INS, demographics) may go on — <c>Recorded</c> completes when it is done. Where the archive's grain state joins
    /// the ingest's flush, a new patient's link and first record are written without rounds of their own
    /// (<c>JoinsCallerFlush</c>): the ingest begins its flush once <c>Recorded</c> completes, and that round makes both
    /// durable. Elsewhere each is durable on its own and the ingest overlaps the record's write with the registration,
    /// waiting for it before the answer. Cached only once recorded.
    /// </summary>
    /// <remarks>
    /// In one round the two writes have no order: a power loss during it may keep the record without its link, a regional
    /// id nobody was ever given (the store was not answered), which nothing reaches; or the link without the record, which
    /// the next resolution writes again, as when the record's own write failed.
    /// </remarks>
    public ValueTask<PatientResolution> ResolveBeforeFlushAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics) =>
        ResolveCoreAsync(localId, ins, demographics, _firstRecordsJoinCallerFlush);

    private async ValueTask<PatientResolution> ResolveCoreAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, bool beforeCallerFlush)
    {
        if (_cache is not null && _cache.TryGet(localId, ins, demographics, out var cached))
        {
            return new PatientResolution(cached, true, Task.CompletedTask);
        }

        var (regional, attachedIns) = await LinkAsync(localId, ins, beforeCallerFlush).ConfigureAwait(false);
        var recorded = RecordAndRememberAsync(regional, localId, ins, attachedIns, demographics, beforeCallerFlush);
        return new PatientResolution(regional, false, recorded) { JoinsCallerFlush = beforeCallerFlush };
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

    private async Task RecordAndRememberAsync(string regional, LocalPatientId localId, NationalIdentity? ins, NationalIdentity? attachedIns, PatientDemographics demographics, bool beforeCallerFlush)
    {
        // Remembered before durable with the caller's flush: whoever reads it from the cache flushes after this write too.
        await _grains.Reference<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics, beforeCallerFlush);
        _cache?.Set(localId, ins, demographics, regional);
    }

    /// <summary>The regional id linked to <paramref name="localId"/> (linked now when new) and the INS it may carry.</summary>
    private async Task<(string Regional, NationalIdentity? AttachedIns)> LinkAsync(LocalPatientId localId, NationalIdentity? ins, bool beforeCallerFlush = false)
    {
        var index = _grains.Reference<IPatientIdentityIndexGrain>(localId.IndexKey);
        var insGrain = ins is null ? null : _grains.Reference<IInsIdentityGrain>(ins.Key);
        string regional;
        if (insGrain is null)
        {
            // No INS to prefer: get-or-link answers an existing link as a read would, in one call instead of two.
            regional = await index.GetOrLinkAsync(RegionalPatientIds.New(_clock), beforeCallerFlush);
        }
        else
        {
            regional = await index.GetAsync() ?? await index.GetOrLinkAsync(await insGrain.GetAsync() ?? RegionalPatientIds.New(_clock), beforeCallerFlush);
        }

        var attachedIns = ins;
        if (insGrain is not null)
        {
            var owner = await insGrain.GetOrClaimAsync(regional);
            if (owner != regional)
            {
                LogInsConflict(_logger, owner, localId.EstablishmentId, regional);
                attachedIns = null;
            }
        }

        return (regional, attachedIns);
    }

    // The regional ids only: an INS (the national health number) and a local patient id are not written to the log; the
    // two patients' records hold them for whoever merges them.
    [LoggerMessage(Level = LogLevel.Warning, Message = "An instance's INS belongs to patient {Owner} but its local id at establishment {EstablishmentId} is linked to patient {Regional}: not merged, manual link needed")]
    private static partial void LogInsConflict(ILogger logger, string owner, string establishmentId, string regional);
}

/// <summary>An ingest-time patient resolution: the linked regional id, whether it came from the cache, and the patient record's write.</summary>
public readonly record struct PatientResolution(string RegionalPatientId, bool FromCache, Task Recorded)
{
    /// <summary>The link and record were written for the caller's flush (<see cref="PatientResolver.ResolveBeforeFlushAsync"/>): not durable until it.</summary>
    public bool JoinsCallerFlush { get; init; }
}
