using Microsoft.Extensions.Logging;
using Mirc.Grains.FanOut;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Patients;

/// <summary>
/// Regional patient record. Written only when something changes (a new identity link, new demographics, a new
/// study or series/modality), so the per-instance ingest path is normally read-only here. Study counters are
/// refreshed from the study grains on read rather than pushed on every store.
/// </summary>
public sealed partial class PatientGrain : Grain, IPatientGrain
{
    /// <summary>Actor recorded for automatic links made by the ingest pipeline.</summary>
    public const string IngestActor = "system:ingest";

    private readonly IPersistentState<PatientState> _state;
    private readonly ILogger<PatientGrain> _logger;
    private readonly TimeProvider _clock;

    /// <summary>Creates the grain.</summary>
    public PatientGrain(
        [PersistentState("patient", StorageProviders.Archive)] IPersistentState<PatientState> state,
        ILogger<PatientGrain> logger,
        TimeProvider? clock = null)
    {
        _state = state;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    private string PatientId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<PatientRecord> GetAsync()
    {
        var s = _state.State;
        var refreshed = await BoundedFanOut.SelectAsync(s.Studies.ToArray(), (reference, _) => RefreshAsync(reference));
        // The study's own summary decides: a reference to a study that holds no instance of this patient (a store still
        // in flight, or one a crash ended before its acknowledgement, until the reconciliation takes the reference
        // back; a deleted study until its erasure unlinks it) is not shown.
        var studies = refreshed.OfType<StudyReference>().ToArray();
        return new PatientRecord
        {
            PatientId = PatientId,
            Ins = s.Ins,
            LocalIds = s.LocalIds.ToArray(),
            Demographics = s.Demographics,
            Studies = studies,
            History = s.History.ToArray(),
        };
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync() => Task.FromResult(_state.RecordExists);

    /// <inheritdoc />
    public async Task RegisterIdentityAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, bool beforeCallerFlush = false, StudyReference? arrivingStudy = null)
    {
        var s = _state.State;
        var changed = false;
        var now = _clock.GetUtcNow();
        if (!s.LocalIds.Contains(localId))
        {
            s.LocalIds.Add(localId);
            s.History.Add(new IdentityLinkEvent { Kind = IdentityLinkKind.AutoLinked, LocalId = localId, Ins = ins, Actor = IngestActor, At = now });
            changed = true;
            LogLinked(_logger, PatientId, localId.IndexKey);
        }

        if (ins is not null && s.Ins is null)
        {
            s.Ins = ins;
            s.History.Add(new IdentityLinkEvent { Kind = IdentityLinkKind.InsAttached, LocalId = localId, Ins = ins, Actor = IngestActor, At = now });
            changed = true;
        }

        if (!demographics.Equals(s.Demographics) && HasAny(demographics))
        {
            s.Demographics = demographics;
            changed = true;
        }

        if (arrivingStudy is not null && !s.Studies.Exists(r => r.StudyInstanceUid == arrivingStudy.StudyInstanceUid))
        {
            // A new patient's record is written once, its first study in it, instead of once more after the commit. Also
            // when a concurrent store of the same new patient wrote the record first: the ingest that sent the study
            // counts on it being listed (InstanceRegistrar sends no equal reference again).
            s.Studies.Add(arrivingStudy);
            changed = true;
        }

        if (changed)
        {
            await _state.WriteOrResetAsync(DeactivateOnIdle, beforeCallerFlush);
        }
    }

    /// <inheritdoc />
    public async Task UpsertStudyAsync(StudyReference study)
    {
        var studies = _state.State.Studies;
        var index = studies.FindIndex(r => r.StudyInstanceUid == study.StudyInstanceUid);
        if (index >= 0 && studies[index].Equals(study))
        {
            return;
        }

        if (index >= 0)
        {
            studies[index] = study;
        }
        else
        {
            studies.Add(study);
        }

        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public Task<bool> HasStudyAsync(string studyInstanceUid) =>
        Task.FromResult(_state.State.Studies.Exists(r => r.StudyInstanceUid == studyInstanceUid));

    /// <inheritdoc />
    public async Task RemoveStudyAsync(string studyInstanceUid)
    {
        if (_state.State.Studies.RemoveAll(r => r.StudyInstanceUid == studyInstanceUid) > 0)
        {
            await _state.WriteOrResetAsync(DeactivateOnIdle);
        }
    }

    /// <inheritdoc />
    public async Task ApplyLinkEventAsync(IdentityLinkEvent linkEvent)
    {
        var s = _state.State;
        switch (linkEvent.Kind)
        {
            case IdentityLinkKind.ManualLink when linkEvent.LocalId is { } linked && !s.LocalIds.Contains(linked):
                s.LocalIds.Add(linked);
                break;
            case IdentityLinkKind.ManualUnlink when linkEvent.LocalId is { } unlinked:
                s.LocalIds.Remove(unlinked);
                break;
        }

        s.History.Add(linkEvent with { At = linkEvent.At == default ? _clock.GetUtcNow() : linkEvent.At });
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        LogLinkEvent(_logger, PatientId, linkEvent.Kind, linkEvent.Actor);
    }

    private async Task<StudyReference?> RefreshAsync(StudyReference reference)
    {
        var summary = await GrainFactory.Reference<IStudyGrain>(reference.StudyInstanceUid).GetSummaryAsync();
        if (summary.InstanceCount == 0 || summary.Status == StudyStatus.Deleted || !string.Equals(summary.PatientId, PatientId, StringComparison.Ordinal))
        {
            return null;
        }

        return reference with
        {
            InstanceCount = summary.InstanceCount,
            Size = summary.Size,
            Modalities = summary.Modalities.Count > 0 ? summary.Modalities : reference.Modalities,
        };
    }

    private static bool HasAny(PatientDemographics d) => d.Name is not null || d.BirthDate is not null || d.Sex is not null;

    // Debug: one line per new patient at ingest, carrying its local id; the patient's link history keeps the fact.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Patient {PatientId}: local id {LocalId} linked at ingest")]
    private static partial void LogLinked(ILogger logger, string patientId, string localId);

    // Without the local id: the patient's link history keeps it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Patient {PatientId}: {Kind} by {Actor}")]
    private static partial void LogLinkEvent(ILogger logger, string patientId, IdentityLinkKind kind, string actor);
}
