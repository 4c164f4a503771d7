using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

public sealed partial class KubernetesManifestTests(KubernetesManifests manifests) : IClassFixture<KubernetesManifests>
{
    private const string PodLabel = "app.kubernetes.io/name";

    // A YAML line we write: blank, comment, "key:" / "key: value", "- item", or a continuation inside a block.
    [GeneratedRegex(@"^(\s*#.*|\s*|\s*(- )*[A-Za-z0-9_./""-]+:( .*)?|\s*- .*|\s+\S.*)$")]
    private static partial Regex PlausibleYamlLine();

    [Fact]
    public void Every_manifest_is_structurally_sound_without_a_yaml_parser()
    {
        Assert.NotEmpty(KubernetesManifests.Files);
        foreach (var file in KubernetesManifests.Files)
        {
            var lines = File.ReadAllLines(file);
            Assert.DoesNotContain(lines, l => l.Contains('\t'));
            var bad = lines.Select((l, i) => (l, i)).Where(x => !PlausibleYamlLine().IsMatch(x.l)).ToList();
            Assert.True(bad.Count == 0, $"{file}: " + string.Join("; ", bad.Select(x => $"line {x.i + 1}: {x.l}")));
            Assert.Contains(lines, l => l.StartsWith("apiVersion: ", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("kind: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_manifest_parses_with_api_version_kind_and_name()
    {
        foreach (var (file, documents) in manifests.Require())
        {
            Assert.NotEmpty(documents);
            foreach (var document in documents)
            {
                Assert.False(string.IsNullOrEmpty(JsonTree.String(document, "apiVersion")), file);
                Assert.False(string.IsNullOrEmpty(JsonTree.String(document, "kind")), file);
                if (JsonTree.String(document, "kind") != "Kustomization")
                {
                    Assert.False(string.IsNullOrEmpty(JsonTree.String(document, "metadata", "name")), file);
                }
            }
        }
    }

    [Fact]
    public void Kustomization_lists_existing_files_but_not_the_secret_template()
    {
        var kustomization = manifests.Single("kustomization.yaml");
        var resources = kustomization.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).ToList();
        foreach (var resource in resources)
        {
            Assert.True(File.Exists(Path.Combine(KubernetesManifests.Folder, resource)), resource + " listed but missing");
        }

        Assert.DoesNotContain("secret.template.yaml", resources);
        var kinds = resources.Select(r => JsonTree.String(manifests.Single(r), "kind")).ToHashSet();
        foreach (var kind in new[] { "Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget" })
        {
            Assert.Contains(kind, kinds);
        }
    }

    [Fact]
    public void Deployment_runs_three_silos_with_health_probes_resources_and_graceful_stop()
    {
        var deployment = manifests.Single("deployment.yaml");
        Assert.Equal("Deployment", JsonTree.String(deployment, "kind"));
        var spec = deployment.GetProperty("spec");
        Assert.Equal(3, spec.GetProperty("replicas").GetInt32());
        var pod = spec.GetProperty("template").GetProperty("spec");
        Assert.True(pod.GetProperty("terminationGracePeriodSeconds").GetInt32() >= 30);
        var silo = pod.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "silo");

        Assert.Equal("/readyz", JsonTree.String(silo, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", JsonTree.String(silo, "livenessProbe", "httpGet", "path"));
        foreach (var kind in new[] { "requests", "limits" })
        {
            var resources = silo.GetProperty("resources").GetProperty(kind);
            Assert.True(resources.TryGetProperty("cpu", out _) && resources.TryGetProperty("memory", out _), kind);
        }

        var ports = silo.GetProperty("ports").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("containerPort").GetInt32());
        Assert.Equal(8080, ports["http"]);
        Assert.Equal(11112, ports["dicom"]);
        Assert.Equal(11111, ports["silo"]);
        Assert.Equal(30000, ports["gateway"]);
        Assert.Equal("http", JsonTree.String(silo, "readinessProbe", "httpGet", "port"));

        var advertised = silo.GetProperty("env").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "Mirc__Cluster__AdvertisedAddress");
        Assert.Equal("status.podIP", JsonTree.String(advertised, "valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void Container_ports_match_the_port_settings_in_the_config_map()
    {
        var data = manifests.Single("configmap.yaml").GetProperty("data");
        var silo = manifests.Single("deployment.yaml").GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "silo");
        var ports = silo.GetProperty("ports").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("containerPort").GetInt32().ToString());
        Assert.Equal(ports["dicom"], data.GetProperty("Mirc__Dicom__Port").GetString());
        Assert.Equal(ports["silo"], data.GetProperty("Mirc__SiloPort").GetString());
        Assert.Equal(ports["gateway"], data.GetProperty("Mirc__GatewayPort").GetString());
        Assert.EndsWith(":" + ports["http"], data.GetProperty("Mirc__HttpUrl").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Membership_lives_in_the_storage_account_so_the_deployment_needs_no_redis()
    {
        var data = manifests.Single("configmap.yaml").GetProperty("data");
        Assert.Equal("AzureStorage", data.GetProperty("Mirc__Cluster__Mode").GetString());
        Assert.Equal("Azure", data.GetProperty("Mirc__Storage__Provider").GetString());
        Assert.StartsWith("https://", data.GetProperty("Mirc__Storage__AccountUri").GetString(), StringComparison.Ordinal);

        var env = manifests.Single("deployment.yaml").GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers").EnumerateArray().SelectMany(c => c.GetProperty("env").EnumerateArray())
            .Select(e => e.GetProperty("name").GetString()!).ToList();
        Assert.Contains("Mirc__Storage__ConnectionString", env);
        Assert.Contains("Mirc__Index__ConnectionString", env);
        Assert.DoesNotContain(env, name => name.Contains("Redis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(data.EnumerateObject(), p => p.Name.Contains("Redis", StringComparison.OrdinalIgnoreCase));
        var secretKeys = manifests.Single("secret.template.yaml").GetProperty("stringData").EnumerateObject().Select(p => p.Name);
        Assert.DoesNotContain(secretKeys, key => key.Contains("redis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Services_and_disruption_budget_select_the_silo_pods()
    {
        var podLabels = manifests.Single("deployment.yaml").GetProperty("spec").GetProperty("template")
            .GetProperty("metadata").GetProperty("labels");
        var silo = podLabels.GetProperty(PodLabel).GetString();

        var service = manifests.Single("service.yaml");
        Assert.Equal("LoadBalancer", JsonTree.String(service, "spec", "type"));
        Assert.Equal(silo, JsonTree.String(service, "spec", "selector", PodLabel));
        var servicePorts = PortTargets(service);
        Assert.Equal("http", servicePorts[80]);
        Assert.Equal("dicom", servicePorts[11112]);

        var headless = manifests.Single("service-headless.yaml");
        Assert.Equal("None", JsonTree.String(headless, "spec", "clusterIP"));
        Assert.Equal(silo, JsonTree.String(headless, "spec", "selector", PodLabel));
        var clusterPorts = PortTargets(headless);
        Assert.Equal("silo", clusterPorts[11111]);
        Assert.Equal("gateway", clusterPorts[30000]);

        var pdb = manifests.Single("pdb.yaml");
        Assert.Equal("PodDisruptionBudget", JsonTree.String(pdb, "kind"));
        Assert.Equal(silo, JsonTree.String(pdb, "spec", "selector", "matchLabels", PodLabel));
    }

    [Fact]
    public void Secrets_referenced_by_the_deployment_exist_in_the_template()
    {
        var template = manifests.Single("secret.template.yaml");
        var keys = template.GetProperty("stringData").EnumerateObject().Select(p => p.Name).ToHashSet();
        var references = manifests.Single("deployment.yaml").GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers").EnumerateArray().SelectMany(c => c.GetProperty("env").EnumerateArray())
            .Where(e => e.TryGetProperty("valueFrom", out var from) && from.TryGetProperty("secretKeyRef", out _))
            .Select(e => e.GetProperty("valueFrom").GetProperty("secretKeyRef"))
            .ToList();
        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            Assert.Equal(JsonTree.String(template, "metadata", "name"), JsonTree.String(reference, "name"));
            Assert.Contains(JsonTree.String(reference, "key") ?? "(no key)", keys);
        }
    }

    private static Dictionary<int, string?> PortTargets(JsonElement service) =>
        service.GetProperty("spec").GetProperty("ports").EnumerateArray()
            .ToDictionary(p => p.GetProperty("port").GetInt32(), p => JsonTree.String(p, "targetPort"));
}
