using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Mirc.Api.Transport;

/// <summary>
/// Headers every response carries: <c>X-Content-Type-Options: nosniff</c> (a DICOM or JSON body is never run as a
/// script), and on HTML pages a restrictive Content-Security-Policy: this origin only, no framing, no plugins, no
/// inline script — except on the API reference (/docs, Scalar), whose page boots with one inline module script.
/// Nothing here loads third-party resources (Scalar's web fonts are turned off), so nothing else is allowed.
/// </summary>
public static class SecurityHeaders
{
    private const string Common =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        + "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The Content-Security-Policy of HTML responses (the dashboard among them).</summary>
    public const string HtmlContentSecurityPolicy = "script-src 'self'; " + Common;

    /// <summary>
    /// <see cref="HtmlContentSecurityPolicy"/> that may also call <paramref name="origin"/> (an OpenID Connect provider's
    /// discovery and token endpoints); null origin = the policy itself.
    /// </summary>
    public static string HtmlContentSecurityPolicyConnectingTo(string? origin) =>
        origin is null ? HtmlContentSecurityPolicy : HtmlContentSecurityPolicy.Replace("connect-src 'self'", "connect-src 'self' " + origin, StringComparison.Ordinal);

    /// <summary>The Content-Security-Policy of the API reference pages under <c>/docs</c>.</summary>
    public const string ApiReferenceContentSecurityPolicy = "script-src 'self' 'unsafe-inline'; " + Common;

    /// <summary>Sets the headers just before the response starts (its content type is known then).</summary>
    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.Response.OnStarting(static state =>
        {
            var response = ((HttpContext)state).Response;
            response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                // A page that set its own policy keeps it (the portal adds its OpenID Connect authority to connect-src).
                if (!response.Headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
                    response.Headers[HeaderNames.ContentSecurityPolicy] = response.HttpContext.Request.Path.StartsWithSegments("/docs")
                        ? ApiReferenceContentSecurityPolicy
                        : HtmlContentSecurityPolicy;
                response.Headers[HeaderNames.XFrameOptions] = "DENY";
                response.Headers["Referrer-Policy"] = "no-referrer";
            }

            return Task.CompletedTask;
        }, context);
        return next();
    }
}
