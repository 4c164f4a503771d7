using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Mirc.Api.Problems;

/// <summary>
/// The authorization middleware's 401 and 403 answer with problem details saying how to get a token or which role is
/// needed (the default handler sends an empty body). The schemes still challenge/forbid first, so
/// <c>WWW-Authenticate</c> is kept.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        await SignalAsync(context, policy, authorizeResult.Challenged).ConfigureAwait(false);
        if (context.Response.HasStarted)
        {
            return;
        }

        var status = authorizeResult.Challenged ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        context.Response.StatusCode = status;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = authorizeResult.Challenged ? "Authentication required" : "Forbidden",
                Detail = authorizeResult.Challenged ? ProblemHints.AuthenticationRequired : ProblemHints.Forbidden(context),
            },
        }).ConfigureAwait(false);
    }

    private static async Task SignalAsync(HttpContext context, AuthorizationPolicy policy, bool challenge)
    {
        if (policy.AuthenticationSchemes.Count == 0)
        {
            await (challenge ? context.ChallengeAsync() : context.ForbidAsync()).ConfigureAwait(false);
            return;
        }

        foreach (var scheme in policy.AuthenticationSchemes)
        {
            await (challenge ? context.ChallengeAsync(scheme) : context.ForbidAsync(scheme)).ConfigureAwait(false);
        }
    }
}
