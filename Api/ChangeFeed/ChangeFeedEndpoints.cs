using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.ChangeFeed;

/// <summary>
/// The change feed over HTTP (<c>/api/changefeed</c>), shaped like the Microsoft DICOM server's: what the warehouse and
/// replication follow. Platform administrators and DPOs read every event; an establishment's devices and administrators
/// the events of its own studies (<see cref="AccessAction.ReadChangeFeed"/>); anyone else is refused.
/// </summary>
public static class ChangeFeedEndpoints
{
    /// <summary>Page size when the request names none.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1_000;

    private static readonly string[] ReaderRoles = [nameof(MircRoles.PlatformAdmin), nameof(MircRoles.DataProtectionOfficer), nameof(MircRoles.EstablishmentAdmin), nameof(MircRoles.Device)];

    /// <summary>Maps <c>GET /changefeed</c> and <c>GET /changefeed/latest</c> on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapChangeFeed(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/changefeed").WithTags("Change feed").RequireAuthorization();
        group.MapGet("", ReadAsync).WithName("ReadChangeFeed")
            .WithSummary("Events after a sequence number, oldest first")
            .WithDescription("Create, Update and Delete events of stored instances in commit order. `offset`: the last sequence already read (0: from the start); `limit`: 1–1000, default 100. `state` tells where the instance stands now: Current, Replaced (a later event names it) or Deleted. Platform administrators and DPOs see every event; an establishment's devices and administrators its own studies' events.")
            .Produces<ChangeFeedEvent[]>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/latest", LatestAsync).WithName("LatestChangeFeedEvent")
            .WithSummary("The newest event the caller may see (204 when there is none)")
            .Produces<ChangeFeedEvent>().Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<IResult> ReadAsync(HttpContext context, IChangeFeed feed, IAccessControl access, IAuditTrail audit, TimeProvider time, long? offset, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (offset < 0) errors["offset"] = ["offset is the last sequence already read: 0 or more."];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (errors.Count > 0) return ApiProblems.Validation(errors);
        if (!TryScope(context, access, out var principal, out var establishment, out var refusal)) return refusal;

        var events = await feed.ReadAsync(offset ?? 0, limit ?? DefaultLimit, establishment, ct).ConfigureAwait(false);
        await RecordAsync(audit, principal, context, time, string.Create(CultureInfo.InvariantCulture, $"change feed read after {offset ?? 0}: {events.Count} events"), ct).ConfigureAwait(false);
        return Results.Ok(events);
    }

    private static async Task<IResult> LatestAsync(HttpContext context, IChangeFeed feed, IAccessControl access, IAuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        if (!TryScope(context, access, out var principal, out var establishment, out var refusal)) return refusal;
        var latest = await feed.LatestAsync(establishment, ct).ConfigureAwait(false);
        await RecordAsync(audit, principal, context, time, "change feed latest: " + (latest?.Sequence.ToString(CultureInfo.InvariantCulture) ?? "none"), ct).ConfigureAwait(false);
        return latest is null ? Results.NoContent() : Results.Ok(latest);
    }

    /// <summary>Every establishment (null) for platform-wide readers, else the caller's own, else a refusal.</summary>
    private static bool TryScope(HttpContext context, IAccessControl access, out ProfessionalPrincipal principal, out string? establishment, out IResult refusal)
    {
        principal = context.GetProfessionalPrincipal()!;
        establishment = null;
        refusal = Results.Unauthorized();
        if (principal is null) return false;
        if (access.Authorize(principal, AccessAction.ReadChangeFeed, null).IsAllowed) return true;

        establishment = principal.EstablishmentId;
        if (!string.IsNullOrEmpty(establishment) && access.Authorize(principal, AccessAction.ReadChangeFeed, establishment).IsAllowed) return true;

        refusal = ApiProblems.Forbidden("The change feed is for platform administrators, data-protection officers, and an establishment's devices and administrators (its own studies).", ReaderRoles);
        return false;
    }

    // One record per request (a follower polls): who read the feed, how far.
    private static ValueTask RecordAsync(IAuditTrail audit, ProfessionalPrincipal principal, HttpContext context, TimeProvider time, string detail, CancellationToken ct) =>
        audit.RecordAsync(principal.ToAuditEvent(AuditAction.Query, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), detail: detail), ct);
}
