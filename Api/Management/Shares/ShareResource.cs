using Mirc.Grains.Interfaces.Sharing;

namespace Mirc.Api.Management.Shares;

/// <summary>A share as returned by the API.</summary>
/// <param name="ShareId">Share id.</param>
/// <param name="StudyInstanceUid">Study pushed.</param>
/// <param name="RecipientAeTitle">Recipient AE title.</param>
/// <param name="RecipientEstablishmentId">Establishment of the recipient AE.</param>
/// <param name="Reason">Reason given by the requester.</param>
/// <param name="RequestedBy">Requesting subject.</param>
/// <param name="Status"><c>queued</c>, <c>running</c>, <c>retrying</c> (recipient unreachable, see <paramref name="NextAttemptAt"/>), <c>completed</c> or <c>failed</c>.</param>
/// <param name="Total">Instances to send (0 until a worker resolved the study).</param>
/// <param name="Completed">Instances the recipient accepted.</param>
/// <param name="Failed">Instances refused or not sent.</param>
/// <param name="FailedSopInstanceUids">SOP Instance UIDs of the failed instances.</param>
/// <param name="RequestedAt">When the share was accepted.</param>
/// <param name="StartedAt">When sending started.</param>
/// <param name="FinishedAt">When the share finished.</param>
/// <param name="Error">Why the share failed as a whole, if it did, or why the last attempt did while retrying.</param>
/// <param name="Attempts">Attempts that could not reach the recipient.</param>
/// <param name="NextAttemptAt">When the next attempt is due while retrying.</param>
public sealed record ShareResource(
    string ShareId,
    string StudyInstanceUid,
    string RecipientAeTitle,
    string RecipientEstablishmentId,
    string Reason,
    string? RequestedBy,
    string Status,
    int Total,
    int Completed,
    int Failed,
    IReadOnlyList<string> FailedSopInstanceUids,
    DateTimeOffset RequestedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    int Attempts,
    DateTimeOffset? NextAttemptAt)
{
    /// <summary>The resource for <paramref name="share"/>.</summary>
    public static ShareResource From(ShareSnapshot share)
    {
        ArgumentNullException.ThrowIfNull(share);
        var request = share.Request;
        return new ShareResource(share.ShareId, request.StudyInstanceUid, request.RecipientAeTitle, request.RecipientEstablishmentId,
            request.Reason, request.RequestedBy, share.Status.ToString().ToLowerInvariant(), share.Total, share.Completed, share.Failed,
            share.FailedSopInstanceUids, request.RequestedAt, share.StartedAt, share.FinishedAt, share.Error, share.Attempts, share.NextAttemptAt);
    }
}
