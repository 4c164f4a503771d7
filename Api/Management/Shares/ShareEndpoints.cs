using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb;
using Mirc.Api.Problems;
using Mirc.Grains.Establishments;
using Mirc.Grains.FanOut;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.Management.Shares;

/// <summary>
/// Push of a study to a named recipient AE (<c>/api/shares</c>). The request is decided and recorded by a share grain
/// and answered 202; the grain starts the push (C-STORE) and retries it on its reminder while the recipient is unreachable. Shares of studies the caller may not
/// retrieve answer 404, whether the study exists or not; pushes the patient's consent forbids answer 403.
/// </summary>
public static class ShareEndpoints
{
    /// <summary>Path of the share collection.</summary>
    public const string Path = "/api/shares";

    /// <summary>Maps the share routes on <paramref name="api"/> (the <c>/api</c> group). Needs <c>AddMircSharing</c>.</summary>
    public static void MapShares(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/shares").WithTags("Shares");
        group.MapPost("", CreateAsync).WithName("CreateShare").WithSummary("Push a study to a registered recipient AE")
            .Produces<ShareResource>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{shareId}", GetAsync).WithName("GetShare").WithSummary("Status of a share")
            .Produces<ShareResource>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("", ListAsync).WithName("ListShares").WithSummary("Shares of a study")
            .Produces<ShareResource[]>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(
        CreateShareRequest request,
        HttpContext http,
        IGrainFactory grains,
        IDicomWebAccessPolicy access,
        IInstanceRetriever retriever,
        DicomWebAudit audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var studyUid = request.StudyInstanceUid!;
        var caller = ApiCaller.From(http);
        if (!await access.CanRetrieveStudyAsync(caller, studyUid, cancellationToken)
            || (await retriever.ResolveAsync(new RetrievalScope(studyUid), cancellationToken)).Count == 0)
        {
            await audit.RecordAsync(http, AuditAction.Retrieve, AuditOutcome.Denied, [studyUid],
                $"share to AE {request.RecipientAeTitle} refused: study not found or not accessible; reason: {request.Reason}", cancellationToken);
            return StudyNotFound(studyUid);
        }

        var recipientAe = AeTitles.Normalize(request.RecipientAeTitle!);
        var recipient = await grains.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey).ResolveAsync(recipientAe);
        if (recipient is not { Entry.Port: > 0 } || (recipient.Entry.Permissions & AePermissions.MoveDestination) == 0)
        {
            return ApiProblems.Validation(new FieldErrors()
                .Add("recipientAeTitle", $"{recipientAe} is not a registered recipient (an AE title with a port and the MoveDestination permission).")
                .ToDictionary());
        }

        // An opposition stops outgoing pushes, except back to the patient's own establishments of care.
        if (!await access.CanPushStudyAsync(caller, studyUid, recipient.EstablishmentId, cancellationToken))
        {
            await audit.RecordAsync(http, AuditAction.Retrieve, AuditOutcome.Denied, [studyUid],
                $"share to AE {recipientAe} (establishment {recipient.EstablishmentId}) refused: the patient's consent does not allow it; reason: {request.Reason}",
                cancellationToken);
            return ApiProblems.Forbidden(
                $"The patient's consent does not allow sending study {studyUid} to establishment {recipient.EstablishmentId}; pushes go only to the patient's own establishments of care.",
                [], recipient.EstablishmentId);
        }

        var shareId = Guid.NewGuid().ToString("N");
        var share = await grains.Reference<IShareGrain>(shareId).CreateAsync(new ShareRequest
        {
            StudyInstanceUid = studyUid,
            RecipientAeTitle = recipientAe,
            RecipientEstablishmentId = recipient.EstablishmentId,
            Reason = request.Reason!.Trim(),
            RequestedBy = caller.ProfessionalId,
            RequesterEstablishmentId = caller.EstablishmentId,
            Source = caller.RemoteAddress,
            RequestedAt = time.GetUtcNow(),
        });
        await audit.RecordAsync(http, AuditAction.Retrieve, AuditOutcome.Success, [studyUid],
            $"share {shareId} to AE {recipientAe} (establishment {recipient.EstablishmentId}) queued; reason: {share.Request.Reason}", cancellationToken);
        return Results.Accepted($"{Path}/{shareId}", ShareResource.From(share));
    }

    private static async Task<IResult> GetAsync(string shareId, HttpContext http, IGrainFactory grains, IDicomWebAccessPolicy access,
        CancellationToken cancellationToken)
    {
        if (!Identifiers.IsValidKey(shareId)) return ApiProblems.BadRequest($"'{shareId}' is not a valid share id.");
        var share = await grains.Reference<IShareGrain>(shareId).GetAsync();
        if (share is null || !await access.CanRetrieveStudyAsync(ApiCaller.From(http), share.Request.StudyInstanceUid, cancellationToken))
            return ApiProblems.NotFound($"Share {shareId} does not exist.");
        return Results.Ok(ShareResource.From(share));
    }

    private static async Task<IResult> ListAsync(string? studyInstanceUid, HttpContext http, IGrainFactory grains, IDicomWebAccessPolicy access,
        CancellationToken cancellationToken)
    {
        if (!Uids.IsValid(studyInstanceUid))
        {
            return ApiProblems.Validation(new FieldErrors()
                .Add("studyInstanceUid", "The studyInstanceUid query parameter (a UID) is required.").ToDictionary());
        }

        if (!await access.CanRetrieveStudyAsync(ApiCaller.From(http), studyInstanceUid!, cancellationToken)) return StudyNotFound(studyInstanceUid!);
        var ids = await grains.Reference<IStudySharesGrain>(studyInstanceUid!).GetAllAsync();
        var shares = await BoundedFanOut.SelectAsync([.. ids], (id, _) => grains.Reference<IShareGrain>(id).GetAsync(), cancellationToken: cancellationToken);
        return Results.Ok(shares.OfType<ShareSnapshot>().Select(ShareResource.From).ToArray());
    }

    private static IResult StudyNotFound(string studyUid) => ApiProblems.NotFound($"Study {studyUid} does not exist.");
}
