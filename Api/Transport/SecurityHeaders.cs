using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Mirc.Api.Transport;

/// <summary>
/// Headers every response carries: <c>X-Content-Type-Options: nosniff</c> (a DICOM or JSON body is never run as a
/// script), and on HTML pages a restrictive Content-Security-Policy: same-origin only, no framing, no plugins. The API
/// reference (/docs, Scalar) and the Orleans dashboard run inline bootstrap scripts and styles, so HTML allows inline
/// script and style from this origin — never from elsewhere, since nothing here loads third-party resources.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The Content-Security-Policy of HTML responses.</summary>
    public const string HtmlContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        + "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'";

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
                response.Headers[HeaderNames.ContentSecurityPolicy] = HtmlContentSecurityPolicy;
                response.Headers[HeaderNames.XFrameOptions] = "DENY";
                response.Headers["Referrer-Policy"] = "no-referrer";
            }

            return Task.CompletedTask;
        }, context);
        return next();
    }
}
