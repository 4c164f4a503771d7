using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Mirc.Api.Authentication;
using Mirc.Api.DicomWeb;
using Mirc.Api.DicomWeb.Stow;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Problems;

/// <summary>
/// Fills in the reason and the fix of any problem response that has none: the bodyless 4xx written by status-code
/// pages (an unknown route, a wrong method, a 403 decided inside an endpoint) and the authorization middleware's 401/403.
/// One place, so no endpoint has to remember it.
/// </summary>
public static class ProblemHints
{
    /// <summary>How to obtain and send a token (401).</summary>
    public const string AuthenticationRequired =
        "A bearer token is required: send 'Authorization: Bearer <token>'. Local accounts get one from POST /api/auth/token "
        + "(form fields username, password, totp); tokens expire, log in again when refused. In /docs, paste it under Authentication.";

    /// <summary><see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>: adds a detail when the problem has none.</summary>
    public static void Apply(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!string.IsNullOrEmpty(problem.Detail))
        {
            return;
        }

        problem.Detail = problem.Status switch
        {
            StatusCodes.Status400BadRequest => "The request could not be read: check the required parameters and the body against the API reference at /docs.",
            StatusCodes.Status401Unauthorized => AuthenticationRequired,
            StatusCodes.Status403Forbidden => Forbidden(context.HttpContext),
            StatusCodes.Status404NotFound => "Nothing here: the path is unknown, or the resource does not exist or is not visible to you. The API reference is at /docs.",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on this path; the API reference at /docs lists the operations it supports.",
            StatusCodes.Status406NotAcceptable => "None of the media types in Accept can be produced here; the API reference at /docs lists them.",
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts (Mirc:Api:MaxStowRequestBytes for STOW-RS): send fewer instances per request.",
            StatusCodes.Status415UnsupportedMediaType when IsStow(context.HttpContext.Request) =>
                StowEndpoint.StowContentTypeHint(context.HttpContext.Request.ContentType, $"Content-Type '{context.HttpContext.Request.ContentType}' is not multipart/related."),
            StatusCodes.Status415UnsupportedMediaType => "This operation does not take a body of this Content-Type; the API reference at /docs lists the ones it takes.",
            StatusCodes.Status429TooManyRequests => "Too many requests: wait a moment and retry.",
            _ => null,
        };
    }

    /// <summary>A 403 names the roles the operation needs (from the endpoint's policy) and the roles the caller holds.</summary>
    public static string Forbidden(HttpContext context)
    {
        var held = context.GetProfessionalPrincipal()?.Roles ?? MircRoles.None;
        var heldText = held == MircRoles.None ? "no role" : $"the role(s) {held}";
        var needed = RequiredRoles(context);
        return needed != MircRoles.None
            ? $"This operation needs one of the roles {string.Join(", ", Names(needed))}; your token carries {heldText}. "
              + "Log in with an account that has one of them (roles are granted through the management API or Mirc:Seed)."
            : $"Your token ({heldText}) does not allow this operation on this resource: the establishment, consent and care "
              + "relationship rules decide (README, Security section); the refusal is in the audit trail.";
    }

    private static bool IsStow(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments(DicomWebUrls.Prefix + "/studies", StringComparison.OrdinalIgnoreCase);

    private static MircRoles RequiredRoles(HttpContext context)
    {
        var roles = MircRoles.None;
        foreach (var authorize in context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? [])
        {
            if (authorize.Policy is { } policy && MircPolicies.RequiredRoles.TryGetValue(policy, out var required))
            {
                // Several policies on one endpoint must all pass: the narrowest set is the one to name.
                roles = roles == MircRoles.None ? required : roles & required;
            }
        }

        return roles;
    }

    private static IEnumerable<string> Names(MircRoles roles) =>
        Enum.GetValues<MircRoles>().Where(r => r != MircRoles.None && roles.HasFlag(r)).Select(r => r.ToString());
}
