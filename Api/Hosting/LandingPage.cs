using Microsoft.AspNetCore.Http;

namespace Mirc.Api.Hosting;

/// <summary>
/// <c>GET /</c>: a small page pointing at what a newcomer looks for (API reference, dashboard, health). The portal will
/// take this path later.
/// </summary>
internal static class LandingPage
{
    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Mirc archive</title>
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}code{background:#eee;padding:0 .2em}</style>
        </head>
        <body>
        <h1>Mirc regional imaging archive</h1>
        <ul>
        <li><a href="/docs">API reference</a> (DICOMweb, management, authentication) — <a href="/openapi/v1.json">OpenAPI document</a></li>
        <li><a href="/dashboard/">Orleans dashboard</a> (platform administrators)</li>
        <li>Health: <a href="/healthz">/healthz</a> (alive), <a href="/readyz">/readyz</a> (ready to serve)</li>
        </ul>
        <p>DICOMweb lives under <code>/dicomweb</code>; every API call needs a bearer token from <code>POST /api/auth/token</code>.</p>
        </body>
        </html>
        """;

    public static IResult Render() => Results.Content(Html, "text/html; charset=utf-8");
}
