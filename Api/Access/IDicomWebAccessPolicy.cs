using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Access;

/// <summary>
/// How the HTTP surface asks the one authorization decision: the security area registers an implementation backed
/// by its access rules. There is no default: a composition without a policy fails at start-up, and the anonymous
/// <see cref="ArchiveWideAccessPolicy"/> applies only when registered explicitly (the silo then warns).
/// </summary>
public interface IDicomWebAccessPolicy
{
    /// <summary>The visibility filter QIDO-RS passes to the query index for <paramref name="caller"/>.</summary>
    ValueTask<IndexAuthorization> QueryAuthorizationAsync(ApiCaller caller, CancellationToken cancellationToken);

    /// <summary>
    /// The exact per-row visibility for QIDO-RS when <see cref="QueryAuthorizationAsync"/> is only a superset (producers'
    /// sharing policies are not in the index); null when the index authorization is already exact.
    /// </summary>
    ValueTask<StudyVisibilityFilter?> QueryVisibilityAsync(ApiCaller caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult<StudyVisibilityFilter?>(null);

    /// <summary>Whether <paramref name="caller"/> may retrieve (WADO) the study; false answers 404 so existence does not leak.</summary>
    ValueTask<bool> CanRetrieveStudyAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="caller"/> may push the study to a destination of <paramref name="destinationEstablishmentId"/>
    /// (<c>/api/shares</c>): the patient's consent governs pushes to other establishments, except the patient's own
    /// establishments of care.
    /// </summary>
    ValueTask<bool> CanPushStudyAsync(ApiCaller caller, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken);

    /// <summary>
    /// The verdict behind <see cref="CanRetrieveStudyAsync"/>: WADO flags a retrieve allowed only through break-the-glass
    /// (<see cref="AccessVerdict.RequiresReview"/>) on its audit record.
    /// </summary>
    async ValueTask<AccessVerdict> RetrieveVerdictAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken) =>
        await CanRetrieveStudyAsync(caller, studyInstanceUid, cancellationToken).ConfigureAwait(false)
            ? AccessVerdict.Allow(AccessReason.RolePermits)
            : AccessVerdict.Deny(AccessReason.MissingContext);

    /// <summary>The identity the ingest pipeline records (and authorizes) for a STOW-RS store.</summary>
    IngestCaller ToIngestCaller(ApiCaller caller);
}
