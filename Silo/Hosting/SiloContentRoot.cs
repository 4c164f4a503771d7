namespace Mirc.Silo.Hosting;

/// <summary>Where the host looks for appsettings.json: the application folder unless the content root is given explicitly.</summary>
public static class SiloContentRoot
{
    /// <summary>
    /// Null when the content root is set explicitly (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>,
    /// <c>DOTNET_CONTENTROOT</c>; test hosts pass it too), so the host keeps it; otherwise <see cref="AppContext.BaseDirectory"/>,
    /// never the working folder the process happens to start in.
    /// </summary>
    public static string? Resolve(IReadOnlyList<string> args)
    {
        var explicitArgument = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase));
        var explicitEnvironment = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return explicitArgument || explicitEnvironment ? null : AppContext.BaseDirectory;
    }
}
