namespace Mirc.Integration.Tests.Infra;

/// <summary>Finds the repository root (the folder holding <c>Mirc.Orleans.sln</c>) above the test binaries.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        // MIRC_REPO_ROOT lets binaries built outside the tree (e.g. a scratch project) find it.
        var configured = Environment.GetEnvironmentVariable("MIRC_REPO_ROOT");
        if (!string.IsNullOrEmpty(configured) && File.Exists(System.IO.Path.Combine(configured, "Mirc.Orleans.sln")))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Mirc.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Mirc.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
