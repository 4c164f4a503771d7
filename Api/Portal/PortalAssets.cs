using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Mirc.Api.Transport;

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
        endpoints.MapGet("/", (HttpContext context) =>
            {
                if (!ScriptsBuilt) return NotBuilt();
                // The page may call the OpenID Connect provider (discovery, token exchange) and nothing else.
                context.Response.Headers.ContentSecurityPolicy = SecurityHeaders.HtmlContentSecurityPolicyConnectingTo(Oidc(context)?.Origin);
                return Serve(context, "index.html");
            })
            .AllowAnonymous().ExcludeFromDescription();
        // What the sign-in page offers: the OpenID Connect authority and client when configured (public information).
        endpoints.MapGet("/portal/config.json", (HttpContext context) => Results.Json(new PortalConfiguration(Oidc(context)?.Settings)))
            .AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/portal/{**file}", (HttpContext context, string file) => Serve(context, file))
            .AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static (PortalOidc Settings, string Origin)? Oidc(HttpContext context)
    {
        var auth = context.RequestServices.GetRequiredService<IOptions<MircAuthOptions>>().Value;
        if (string.IsNullOrWhiteSpace(auth.Authority) || string.IsNullOrWhiteSpace(auth.PortalClientId)
            || !Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority))
            return null;
        // A resource indicator must be an absolute URI (RFC 8707): an audience like "mirc-api" is left to the provider's default.
        var resource = Uri.TryCreate(auth.Audience, UriKind.Absolute, out _) ? auth.Audience : null;
        return (new PortalOidc(auth.Authority.TrimEnd('/'), auth.PortalClientId, auth.PortalScope, resource), authority.GetLeftPart(UriPartial.Authority));
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

/// <summary>What the portal's sign-in page needs to know.</summary>
/// <param name="Oidc">The OpenID Connect sign-in, or null when only local accounts are offered.</param>
public sealed record PortalConfiguration(PortalOidc? Oidc);

/// <summary>The portal's OpenID Connect client (authorization code + PKCE).</summary>
/// <param name="Authority">Issuer URL (its discovery document is under <c>/.well-known/openid-configuration</c>).</param>
/// <param name="ClientId">Public client id.</param>
/// <param name="Scope">Scopes asked for.</param>
/// <param name="Resource">The API's audience when it is an absolute URI, sent as the resource indicator (RFC 8707) so the access token is for it.</param>
public sealed record PortalOidc(string Authority, string ClientId, string Scope, string? Resource);
