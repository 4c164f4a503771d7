using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Authentication;

/// <summary>
/// <see cref="IDicomWebAccessPolicy"/> backed by the one authorization decision (<see cref="IAccessControl"/>):
/// QIDO-RS gets the caller's visibility scope, WADO-RS the per-study verdict, STOW-RS the caller's establishment.
/// Registered by <c>AddMircAuthentication</c>, replacing the archive-wide default.
/// </summary>
public sealed class SecureDicomWebAccessPolicy(IAccessControl access, IGrainFactory grains, IOptions<MircAuthOptions> options) : IDicomWebAccessPolicy
{
    /// <inheritdoc />
    public async ValueTask<IndexAuthorization> QueryAuthorizationAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        var principal = PrincipalOf(caller);
        if (principal is null)
        {
            return IndexAuthorization.None;
        }

        var scope = await access.GetScopeAsync(principal, AccessAction.QueryStudies, cancellationToken).ConfigureAwait(false);
        return scope.IsEmpty ? IndexAuthorization.None : IndexAuthorization.Restricted(scope.EstablishmentIds, scope.PatientIds);
    }

    /// <inheritdoc />
    public async ValueTask<StudyVisibilityFilter?> QueryVisibilityAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        var principal = PrincipalOf(caller);
        return principal is null
            ? null
            : new StudyVisibilityFilter(await access.GetScopeAsync(principal, AccessAction.QueryStudies, cancellationToken).ConfigureAwait(false), grains);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CanRetrieveStudyAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken)
    {
        var principal = PrincipalOf(caller);
        return principal is not null
            && (await access.AuthorizeStoredStudyAsync(principal, AccessAction.RetrieveStudies, studyInstanceUid, cancellationToken).ConfigureAwait(false)).IsAllowed;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CanPushStudyAsync(ApiCaller caller, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken)
    {
        var principal = PrincipalOf(caller);
        return principal is not null
            && (await access.AuthorizePushAsync(principal, studyInstanceUid, destinationEstablishmentId, cancellationToken).ConfigureAwait(false)).IsAllowed;
    }

    /// <inheritdoc />
    public async ValueTask<AccessVerdict> RetrieveVerdictAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken)
    {
        var principal = PrincipalOf(caller);
        return principal is null
            ? AccessVerdict.Deny(AccessReason.MissingContext)
            : await access.AuthorizeStoredStudyAsync(principal, AccessAction.RetrieveStudies, studyInstanceUid, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="UnauthorizedAccessException">The caller is anonymous or may not store.</exception>
    public IngestCaller ToIngestCaller(ApiCaller caller)
    {
        var principal = PrincipalOf(caller) ?? throw new UnauthorizedAccessException("Storing requires an authenticated caller.");
        var verdict = access.Authorize(principal, AccessAction.StoreStudies, principal.EstablishmentId);
        if (!verdict.IsAllowed)
        {
            throw new UnauthorizedAccessException($"Storing is not permitted: {verdict.Reason}.");
        }

        return new IngestCaller
        {
            EstablishmentId = principal.EstablishmentId,
            ProfessionalId = principal.Roles == MircRoles.Device ? null : principal.ProfessionalId,
            RemoteAddress = caller.RemoteAddress,
        };
    }

    private ProfessionalPrincipal? PrincipalOf(ApiCaller caller) =>
        caller.IsAuthenticated ? ProfessionalClaims.FromClaims(caller.Principal, options.Value.Claims, "bearer") : null;
}
