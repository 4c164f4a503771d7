using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Deidentification;
using Mirc.Grains.Audit;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Research;

/// <summary>
/// One de-identified export of a research project. The cohort is selected and the research oppositions applied when it
/// starts; then batches of instances are read from the archive, de-identified and written to the output store, at most
/// <see cref="ResearchOptions.ExportConcurrency"/> at once, off the grain's turn (so progress can be read meanwhile),
/// and the progress is persisted after each batch. An export found running after a restart resumes at its next batch.
/// </summary>
public sealed class ResearchExportGrain(
    [PersistentState("research-export", StorageProviders.Archive)] IPersistentState<ResearchExportState> state,
    IQueryIndex index,
    ResearchVault vault,
    ResearchOutput output,
    ResearchInstanceExporter exporter,
    IAuditTrail audit,
    TimeProvider time,
    IOptions<ResearchOptions> options,
    ILogger<ResearchExportGrain> logger)
    : Grain, IResearchExportGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private readonly ResearchOptions _options = options.Value;
    private Task? _run;

    /// <inheritdoc />
    public async Task<ResearchExportSnapshot> StartAsync(ProfessionalPrincipal principal, string projectId, string? source)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        var exportId = this.GetPrimaryKeyString();
        var now = time.GetUtcNow();
        var verdict = AccessDecision.Evaluate(new AccessRequest { Principal = principal, Action = AccessAction.ExportForResearch, Now = now });
        if (!verdict.IsAllowed)
        {
            await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ResearchExport, AuditOutcome.Denied, now, source,
                detail: $"research export {exportId} of project {projectId} refused: {verdict.Reason}"));
            throw new UnauthorizedAccessException("Research exports need the DataProtectionOfficer or ResearchManager role.");
        }

        if (state.State.Export is { } existing) return existing;
        var project = await GrainFactory.Reference<IResearchProjectGrain>(projectId).GetAsync()
            ?? throw new KeyNotFoundException($"Research project {projectId} does not exist.");

        var selected = await new CohortSelector(index).SelectAsync(project.Definition.Cohort, _options.MaxInstances);
        var excluded = await ResearchOppositionsAsync(selected);
        var items = selected.Where(s => !excluded.Contains(s.Item.PatientReference)).Select(s => s.Item).ToList();
        state.State.Items = items;
        state.State.NextIndex = 0;
        state.State.RequestedBy = principal;
        state.State.Source = source;
        state.State.FlagBurnedInAnnotation = project.Definition.FlagBurnedInAnnotation;
        state.State.StowDestination = project.Definition.StowDestination;
        state.State.Export = new ResearchExportSnapshot
        {
            ExportId = exportId,
            ProjectId = projectId,
            Status = ResearchExportStatus.Running,
            Total = items.Count,
            Patients = items.Select(i => i.PatientReference).Distinct(StringComparer.Ordinal).Count(),
            PatientsExcluded = excluded.Count,
            Output = project.Definition.StowDestination is { } stow
                ? $"STOW-RS {stow} {_options.StowDestinations.GetValueOrDefault(stow)?.Url}"
                : $"{output.Container}/{ResearchOutput.PrefixOf(projectId, exportId)}",
            StartedAt = now,
        };

        // Refused, the export is not started: memory forgets it too, so the caller's retry starts it for real.
        await state.WriteOrResetAsync(DeactivateOnIdle);
        await GrainFactory.Reference<IResearchProjectGrain>(projectId).AddExportAsync(exportId);
        var export = state.State.Export;
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ResearchExport, AuditOutcome.Success, now, source,
            detail: $"research export {exportId} of project {projectId} started: {export.Total} instances of {export.Patients} patients, "
                + $"{export.PatientsExcluded} patients left out (research opposition), output {export.Output}"));
        await RegisterResumeReminderAsync(exportId);
        EnsureRunning();
        return export;
    }

    /// <inheritdoc />
    public Task<ResearchExportSnapshot?> GetAsync()
    {
        // The first look after a restart picks the export up where its persisted progress stopped.
        EnsureRunning();
        return Task.FromResult(state.State.Export);
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Export is { IsFinished: false })
        {
            EnsureRunning();
            return;
        }

        await UnregisterResumeReminderAsync();
    }

    private void EnsureRunning()
    {
        if (state.State.Export is { Status: ResearchExportStatus.Running or ResearchExportStatus.Waiting } && _run is null or { IsCompleted: true })
        {
            _run = RunAsync();
        }
    }

    // Patients who oppose research re-use are left out whole; a patient without a regional record has no consent to
    // read, so they are left out too (secure by default).
    private async Task<HashSet<string>> ResearchOppositionsAsync(IReadOnlyList<(ExportItem Item, bool HasRegionalId)> selected)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var patient in selected.GroupBy(s => s.Item.PatientReference, StringComparer.Ordinal))
        {
            if (!patient.First().HasRegionalId)
            {
                excluded.Add(patient.Key);
                continue;
            }

            var consent = await GrainFactory.Reference<IConsentGrain>(patient.Key).GetAsync();
            if (consent.ResearchReuseOpposed) excluded.Add(patient.Key);
        }

        return excluded;
    }

    private async Task RunAsync()
    {
        var s = state.State;
        var export = s.Export!;
        var exportId = export.ExportId;
        var clock = Stopwatch.StartNew();
        ResearchLog.Running(logger, exportId, export.ProjectId, export.Total, export.Patients, export.PatientsExcluded, s.NextIndex);
        try
        {
            await ExportAsync(s, clock);
        }
        catch (ProgressNotSavedException ex)
        {
            // This activation forgot what storage refused and deactivates; the resume reminder (or the next look)
            // continues from the saved progress, not from a state storage never held.
            ResearchLog.ProgressNotSaved(logger, ex.InnerException!, exportId);
        }
        catch (Exception ex)
        {
            // The end could not be audited: the export is still running in storage and in memory, and its next run
            // (the resume reminder or the next look) finishes it again.
            ResearchLog.EndNotAudited(logger, ex, exportId);
        }
    }

    private async Task ExportAsync(ResearchExportState s, Stopwatch clock)
    {
        var export = s.Export!;
        var exportId = export.ExportId;
        ResearchExportSnapshot finished;
        try
        {
            var key = await vault.GetOrCreateKeyAsync(export.ProjectId);
            var deidentifier = new Deidentifier(key, new DeidentifierOptions
            {
                BurnedInAnnotation = s.FlagBurnedInAnnotation ? BurnedInAnnotationPolicy.Flag : BurnedInAnnotationPolicy.Exclude,
            });
            var pseudonyms = new ConcurrentDictionary<string, Lazy<Task>>(StringComparer.Ordinal);
            var stow = StowTargetOf(s.StowDestination);
            var outage = 0;
            while (s.NextIndex < s.Items.Count)
            {
                DelayDeactivation(TimeSpan.FromMinutes(10));
                var batch = s.Items.GetRange(s.NextIndex, Math.Min(_options.BatchSize, s.Items.Count - s.NextIndex));
                IReadOnlyList<ExportItemOutcome> outcomes;
                try
                {
                    // Reading, de-identifying and writing run on the thread pool; the grain's turn stays free for progress reads.
                    outcomes = await Task.Run(() => exporter.ExportBatchAsync(batch, key, deidentifier, pseudonyms, export.ProjectId, exportId, _options.ExportConcurrency, stow));
                }
                catch (ResearchDestinationUnavailableException ex)
                {
                    // Nothing of the batch counts: it is done again, whole, once the destination is back (same files, same UIDs).
                    var wait = TimeSpan.FromSeconds(_options.DestinationRetrySeconds * Math.Min(10, 1 << Math.Min(outage++, 4)));
                    ResearchLog.Waiting(logger, exportId, ex.Message, s.NextIndex, wait.TotalSeconds);
                    export = export with { Status = ResearchExportStatus.Waiting, WaitingFor = ex.Message, DestinationRetries = export.DestinationRetries + 1 };
                    s.Export = export;
                    await SaveAsync();
                    DelayDeactivation(wait + TimeSpan.FromMinutes(10));
                    await Task.Delay(wait, time);
                    continue;
                }

                outage = 0;
                export = Apply(export with { Status = ResearchExportStatus.Running, WaitingFor = null }, outcomes);
                s.Export = export;
                s.NextIndex += batch.Count;
                await SaveAsync();
            }

            finished = export with { Status = export.Failed == 0 ? ResearchExportStatus.Completed : ResearchExportStatus.Failed };
        }
        catch (Exception ex) when (ex is not ProgressNotSavedException)
        {
            ResearchLog.Stopped(logger, ex, exportId);
            finished = state.State.Export! with { Status = ResearchExportStatus.Failed, Error = ex.Message };
        }

        await FinishAsync(finished, clock);
    }

    /// <summary>
    /// Audits the end, then saves it: an export is never finished without its record (a refused record leaves it running
    /// for its next run to finish), at the price of a second record should the save then fail.
    /// </summary>
    private async Task FinishAsync(ResearchExportSnapshot export, Stopwatch clock)
    {
        var now = time.GetUtcNow();
        export = export with { FinishedAt = now };
        await audit.RecordAsync(state.State.RequestedBy.ToAuditEvent(AuditAction.ResearchExport,
            export.Status == ResearchExportStatus.Completed ? AuditOutcome.Success : AuditOutcome.Failure, now, state.State.Source,
            detail: $"research export {export.ExportId} of project {export.ProjectId} finished {export.Status}: {export.Exported} of {export.Total} instances exported, "
                + $"{export.Patients} patients, {export.PatientsExcluded} patients left out (research opposition), {export.ExcludedBurnedInAnnotation} excluded and "
                + $"{export.FlaggedBurnedInAnnotation} flagged for burned-in annotation, {export.Failed} failed, "
                + $"{export.DestinationRetries} batches retried after the destination was unavailable{(export.Error is null ? "" : "; " + export.Error)}"));
        state.State.Export = export;
        await SaveAsync();
        ResearchLog.Finished(logger, export.ExportId, export.Status.ToString(), export.Exported, export.ExcludedBurnedInAnnotation, export.FlaggedBurnedInAnnotation, export.Failed, clock.Elapsed.TotalSeconds);
        await UnregisterResumeReminderAsync();
    }

    private async Task SaveAsync()
    {
        try
        {
            await state.WriteOrResetAsync(DeactivateOnIdle);
        }
        catch (Exception ex)
        {
            throw new ProgressNotSavedException(ex);
        }
    }

    private static ResearchExportSnapshot Apply(ResearchExportSnapshot export, IReadOnlyList<ExportItemOutcome> outcomes) => export with
    {
        Done = export.Done + outcomes.Count,
        Exported = export.Exported + outcomes.Count(o => o.Error is null && o.Result is DeidentificationOutcome.Deidentified or DeidentificationOutcome.DeidentifiedWithBurnedInAnnotation),
        FlaggedBurnedInAnnotation = export.FlaggedBurnedInAnnotation + outcomes.Count(o => o.Error is null && o.Result == DeidentificationOutcome.DeidentifiedWithBurnedInAnnotation),
        ExcludedBurnedInAnnotation = export.ExcludedBurnedInAnnotation + outcomes.Count(o => o.Result == DeidentificationOutcome.ExcludedBurnedInAnnotation),
        Failed = export.Failed + outcomes.Count(o => o.Error is not null),
        Error = export.Error ?? outcomes.FirstOrDefault(o => o.Error is not null)?.Error,
    };

    // The destination is looked up when the export runs: a destination removed from configuration fails the export.
    private StowTarget? StowTargetOf(string? name) => name is null
        ? null
        : _options.StowDestinations.TryGetValue(name, out var destination)
            ? new StowTarget(name, destination)
            : throw new InvalidOperationException($"STOW-RS destination {name} is not configured (Mirc:Research:StowDestinations).");

    private async Task RegisterResumeReminderAsync(string exportId)
    {
        try
        {
            await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (ex is InvalidOperationException or OrleansException)
        {
            ResearchLog.NoReminder(logger, ex, exportId);
        }
    }

    private async Task UnregisterResumeReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OrleansException)
        {
            // No reminder service: nothing was registered.
        }
    }

    /// <summary>A state write of the running export was refused (the state was reset to what is stored).</summary>
    private sealed class ProgressNotSavedException(Exception inner) : Exception("the export's progress could not be saved", inner);
}
