using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The patients' study lists as a projection of the feed: a live study the feed names is on its patient's list (added,
/// from the manifest and one stored header, when missing: the ingest adds it inline, so this only repairs), and a
/// deleted or emptied study is off the list of the patient its events name. Counters stay the ingest's business.
/// </summary>
internal sealed class PatientStudyProjection(IGrainFactory grains, ManifestHeaders headers) : IChangeFeedProjection
{
    /// <summary>Checkpoint name.</summary>
    public const string ProjectionName = "patient-studies";

    public string Name => ProjectionName;

    public async Task ApplyAsync(IReadOnlyList<ChangeFeedEvent> events, StudySummaryReads summaries, CancellationToken cancellationToken)
    {
        foreach (var study in events.GroupBy(e => e.StudyInstanceUid, StringComparer.Ordinal))
        {
            var summary = await summaries.GetAsync(study.Key, cancellationToken).ConfigureAwait(false);
            if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty)
            {
                foreach (var patientId in study.Select(e => e.PatientId).OfType<string>().Distinct(StringComparer.Ordinal))
                {
                    await grains.Reference<IPatientGrain>(patientId).RemoveStudyAsync(study.Key).WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (summary.PatientId is not { } owner)
            {
                continue;
            }

            var patient = grains.Reference<IPatientGrain>(owner);
            if (await patient.HasStudyAsync(study.Key).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // The reference names the local patient id the study was received under: read it from a stored header.
            var first = (await grains.Reference<IStudyGrain>(study.Key).GetInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).OrderBy(e => e.ReceivedAt).FirstOrDefault();
            if (first is null || await headers.ReadAsync(first, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                continue;
            }

            await patient.UpsertStudyAsync(InstanceRegistrar.ToReference(summary, stored.EstablishmentId, stored.LocalPatientId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
