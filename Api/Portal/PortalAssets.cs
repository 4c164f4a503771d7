using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mirc.Api.Portal;

/// <summary>
/// Serves the professionals' portal at <c>/</c> and its assets under <c>/portal/</c>: HTML, CSS and the scripts compiled
/// from <c>Api/Portal/scripts</c> (TypeScript) at build time, embedded in this assembly — one file set, nothing fetched
/// from elsewhere at run time. When the build had no Node.js to compile the scripts, <c>/</c> says so instead of
/// serving a portal that cannot work.
/// </summary>
public static class PortalAssets
{
    private const string Prefix = "portal/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Assembly Assembly = typeof(PortalAssets).Assembly;

    /// <summary>Resource names (without <c>portal/</c>) of every embedded asset.</summary>
    internal static FrozenSet<string> Names { get; } = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether the compiled scripts are in the assembly.</summary>
    public static bool ScriptsBuilt => Names.Contains("js/main.js");

    /// <summary>Maps <c>GET /</c> and <c>GET /portal/{file}</c> (anonymous: the pages hold no data; the API calls carry the token).</summary>
    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", (HttpContext context) => ScriptsBuilt ? Serve(context, "index.html") : NotBuilt())
            .AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/portal/{**file}", (HttpContext context, string file) => Serve(context, file))
            .AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(HttpContext context, string file)
    {
        var extension = Path.GetExtension(file);
        if (!Names.Contains(file) || !ContentTypes.TryGetValue(extension, out var contentType))
            return Results.NotFound();
        // Assets change with every build and are small: revalidate each time rather than serve a stale script.
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(Assembly.GetManifestResourceStream(Prefix + file)!, contentType);
    }

    private static IResult NotBuilt() => Results.Content("""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Mirc archive</title></head>
        <body>
        <h1>Mirc regional imaging archive</h1>
        <p>The portal's scripts were not compiled into this build: build with Node.js and the TypeScript compiler of
        <code>tools/package.json</code> installed (<code>./test.sh</code> installs them into <code>.tools/</code>; or set
        <code>MIRC_TOOLS_DIR</code>).</p>
        <ul>
        <li><a href="/docs">API reference</a></li>
        <li><a href="/dashboard/">Orleans dashboard</a> (platform administrators)</li>
        </ul>
        </body>
        </html>
        """, "text/html; charset=utf-8");
}
