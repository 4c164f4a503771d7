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
    /// <summary>A patient record write that listed no study (<see cref="PatientResolution.Recorded"/>).</summary>
    internal static readonly Task<StudyReference?> NoStudyListed = Task.FromResult<StudyReference?>(null);
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
        var resolution = await ResolveCoreAsync(localId, ins, demographics, beforeCallerFlush: false, arrivingStudy: null).ConfigureAwait(false);
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
    /// waiting for it before the answer. Cached only once recorded. The record of a new patient lists the study that
    /// <paramref name="arrivingStudy"/> gives for its regional id (null: none), which it awaits before writing the record.
    /// </summary>
    /// <remarks>
    /// In one round the two writes have no order: a power loss during it may keep the record without its link, a regional
    /// id nobody was ever given (the store was not answered), which nothing reaches; or the link without the record, which
    /// the next resolution writes again, as when the record's own write failed.
    /// </remarks>
    public ValueTask<PatientResolution> ResolveBeforeFlushAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, Func<string, Task<StudyReference?>>? arrivingStudy = null) =>
        ResolveCoreAsync(localId, ins, demographics, _firstRecordsJoinCallerFlush, arrivingStudy);

    private async ValueTask<PatientResolution> ResolveCoreAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, bool beforeCallerFlush, Func<string, Task<StudyReference?>>? arrivingStudy)
    {
        if (_cache is not null && _cache.TryGet(localId, ins, demographics, out var cached))
        {
            return new PatientResolution(cached, true, NoStudyListed);
        }

        var (regional, attachedIns, isNew) = await LinkAsync(localId, ins, beforeCallerFlush).ConfigureAwait(false);
        var recorded = RecordAndRememberAsync(regional, localId, ins, attachedIns, demographics, beforeCallerFlush, isNew ? arrivingStudy : null);
        return new PatientResolution(regional, false, recorded) { JoinsCallerFlush = beforeCallerFlush };
    }

    /// <summary>Forgets the cached resolution of <paramref name="localId"/>.</summary>
    public void Invalidate(LocalPatientId localId) => _cache?.Invalidate(localId);

    /// <summary>Returns the regional patient id for the identity, creating/linking as needed; the patient record is durable on return.</summary>
    public async Task<string> ResolveAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics)
    {
        var (regional, attachedIns, _) = await LinkAsync(localId, ins);
        await _grains.Reference<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics);
        return regional;
    }

    /// <summary>Writes the patient record; completes with the study it listed in it (a new patient's new study), or null.</summary>
    private async Task<StudyReference?> RecordAndRememberAsync(string regional, LocalPatientId localId, NationalIdentity? ins, NationalIdentity? attachedIns, PatientDemographics demographics, bool beforeCallerFlush, Func<string, Task<StudyReference?>>? arrivingStudy)
    {
        var listed = arrivingStudy is null ? null : await arrivingStudy(regional).ConfigureAwait(false);
        // Remembered before durable with the caller's flush: whoever reads it from the cache flushes after this write too.
        await _grains.Reference<IPatientGrain>(regional).RegisterIdentityAsync(localId, attachedIns, demographics, beforeCallerFlush, listed);
        _cache?.Set(localId, ins, demographics, regional);
        return listed;
    }

    /// <summary>
    /// The regional id linked to <paramref name="localId"/> (linked now when new), the INS it may carry, and whether it is
    /// a new patient (a regional id created by this call: its record is not written yet).
    /// </summary>
    private async Task<(string Regional, NationalIdentity? AttachedIns, bool IsNew)> LinkAsync(LocalPatientId localId, NationalIdentity? ins, bool beforeCallerFlush = false)
    {
        var index = _grains.Reference<IPatientIdentityIndexGrain>(localId.IndexKey);
        var insGrain = ins is null ? null : _grains.Reference<IInsIdentityGrain>(ins.Key);
        var proposed = RegionalPatientIds.New(_clock);
        string regional;
        if (insGrain is null)
        {
            // No INS to prefer: get-or-link answers an existing link as a read would, in one call instead of two.
            regional = await index.GetOrLinkAsync(proposed, beforeCallerFlush);
        }
        else
        {
            regional = await index.GetAsync() ?? await index.GetOrLinkAsync(await insGrain.GetAsync() ?? proposed, beforeCallerFlush);
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

        return (regional, attachedIns, regional == proposed);
    }

    // The regional ids only: an INS (the national health number) and a local patient id are not written to the log; the
    // two patients' records hold them for whoever merges them.
    [LoggerMessage(Level = LogLevel.Warning, Message = "An instance's INS belongs to patient {Owner} but its local id at establishment {EstablishmentId} is linked to patient {Regional}: not merged, manual link needed")]
    private static partial void LogInsConflict(ILogger logger, string owner, string establishmentId, string regional);
}

/// <summary>
/// An ingest-time patient resolution: the linked regional id, whether it came from the cache, and the patient record's
/// write (its result: the study a new patient's record was created with, or null).
/// </summary>
public readonly record struct PatientResolution(string RegionalPatientId, bool FromCache, Task<StudyReference?> Recorded)
{
    /// <summary>The link and record were written for the caller's flush (<see cref="PatientResolver.ResolveBeforeFlushAsync"/>): not durable until it.</summary>
    public bool JoinsCallerFlush { get; init; }
}
