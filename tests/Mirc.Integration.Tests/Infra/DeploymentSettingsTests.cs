using System.Text.RegularExpressions;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// Every <c>Mirc__…</c> environment variable that a deployment sets (Azure template, Kubernetes, local cluster
/// script, Dockerfile) must bind to a property of the application's typed options, with a value that parses.
/// </summary>
public sealed partial class DeploymentSettingsTests(CompiledBicepTemplate compiled, KubernetesManifests manifests)
    : IClassFixture<CompiledBicepTemplate>, IClassFixture<KubernetesManifests>
{
    private readonly OptionsCatalog _catalog = OptionsCatalog.FromApplication();

    [GeneratedRegex(@"\b(Mirc__[A-Za-z0-9_]+)=(""[^""]*""|\S*)")]
    private static partial Regex ShellAssignment();

    [Fact]
    public void Options_catalog_sees_the_host_cluster_storage_and_index_sections()
    {
        foreach (var section in new[] { "Mirc", "Mirc:Cluster", "Mirc:Storage", "Mirc:Index", "Mirc:Dicom" })
        {
            Assert.Contains(section, _catalog.Sections);
        }

        Assert.Null(_catalog.Check("Mirc__Cluster__Mode", "AzureStorage", out var unbound));
        Assert.False(unbound);
        Assert.NotNull(_catalog.Check("Mirc__Cluster__Mode", "Redis", out _)); // removed: a leftover setting fails, not ignored
        Assert.NotNull(_catalog.Check("Mirc__Cluster__Mode", "Carrier-Pigeon", out _));
        Assert.NotNull(_catalog.Check("Mirc__Storage__NoSuchSetting", "x", out _));
    }

    [Fact]
    public void Azure_container_app_settings_bind_to_options()
    {
        var env = JsonTree.Resources(compiled.Template.RootElement, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("template").GetProperty("containers").EnumerateArray()
            .SelectMany(c => c.GetProperty("env").EnumerateArray())
            .Select(e => (e.GetProperty("name").GetString()!, Literal(JsonTree.String(e, "value"))));
        AssertBind(env, minimum: 10);
    }

    [Fact]
    public void Kubernetes_settings_bind_to_options()
    {
        var data = manifests.Single("configmap.yaml").GetProperty("data").EnumerateObject()
            .Select(p => (p.Name, (string?)p.Value.GetString()));
        var env = manifests.Single("deployment.yaml").GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers").EnumerateArray().SelectMany(c => c.GetProperty("env").EnumerateArray())
            .Select(e => (e.GetProperty("name").GetString()!, JsonTree.String(e, "value")));
        AssertBind(data.Concat(env), minimum: 10);
    }

    [Fact]
    public void Local_cluster_and_image_settings_bind_to_options()
    {
        foreach (var (file, minimum) in new[] { (RepositoryRoot.Combine("infra", "local", "start-cluster.sh"), 10), (RepositoryRoot.Combine("Silo", "Dockerfile"), 4) })
        {
            var settings = ShellAssignment().Matches(File.ReadAllText(file))
                .Select(m => (m.Groups[1].Value, Literal(m.Groups[2].Value.Trim('"'))));
            AssertBind(settings, minimum);
        }
    }

    [Fact]
    public void Every_shipped_deployment_keeps_membership_in_the_storage_account()
    {
        // Storage + PostgreSQL only: Azure, Kubernetes and the local cluster all run AzureStorage cluster mode.
        var azure = JsonTree.Resources(compiled.Template.RootElement, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("template").GetProperty("containers").EnumerateArray()
            .SelectMany(c => c.GetProperty("env").EnumerateArray())
            .Single(e => e.GetProperty("name").GetString() == "Mirc__Cluster__Mode");
        Assert.Equal("AzureStorage", JsonTree.String(azure, "value"));
        Assert.Equal("AzureStorage", manifests.Single("configmap.yaml").GetProperty("data").GetProperty("Mirc__Cluster__Mode").GetString());
        var local = ShellAssignment().Matches(File.ReadAllText(RepositoryRoot.Combine("infra", "local", "start-cluster.sh")))
            .Where(m => m.Groups[1].Value == "Mirc__Cluster__Mode").Select(m => m.Groups[2].Value);
        Assert.Equal("AzureStorage", Assert.Single(local));
    }

    private void AssertBind(IEnumerable<(string Name, string? Value)> settings, int minimum)
    {
        var mirc = settings.Where(s => s.Name.StartsWith("Mirc__", StringComparison.Ordinal)).ToList();
        Assert.True(mirc.Count >= minimum, $"expected at least {minimum} Mirc__ settings, found {mirc.Count}");
        var problems = new List<string>();
        foreach (var (name, value) in mirc)
        {
            var problem = _catalog.Check(name, value, out var unbound);
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else if (unbound)
            {
                problems.Add($"{name}: no options class has section {string.Join(':', name.Split("__")[..^1])}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // Values computed at deploy or run time (ARM expressions, shell expansions) are only checked by name.
    private static string? Literal(string? value) =>
        value is null || value.StartsWith('[') || value.Contains('$') ? null : value;
}
