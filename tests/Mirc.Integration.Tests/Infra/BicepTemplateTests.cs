using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

public sealed partial class BicepTemplateTests(CompiledBicepTemplate compiled) : IClassFixture<CompiledBicepTemplate>
{
    [GeneratedRegex(@"\b(Warning|Error) [A-Za-z][A-Za-z0-9-]*")]
    private static partial Regex Diagnostic();

    private JsonElement Root => compiled.Template.RootElement;

    [Fact]
    public void Main_template_builds_with_no_warning_or_error()
    {
        Assert.True(compiled.TemplateBuild.ExitCode == 0, compiled.TemplateBuild.Combined);
        Assert.False(Diagnostic().IsMatch(compiled.TemplateBuild.Combined), compiled.TemplateBuild.Combined);
        Assert.True(Root.TryGetProperty("resources", out _), "no ARM template was written");
    }

    [Fact]
    public void Example_parameter_file_builds_with_no_warning_or_error()
    {
        Assert.True(compiled.ParametersBuild.ExitCode == 0, compiled.ParametersBuild.Combined);
        Assert.False(Diagnostic().IsMatch(compiled.ParametersBuild.Combined), compiled.ParametersBuild.Combined);
        var values = compiled.Parameters.RootElement.GetProperty("parameters");
        Assert.Equal("Test-Only-Passw0rd", values.GetProperty("postgresAdminPassword").GetProperty("value").GetString());
        Assert.True(values.GetProperty("siloMinReplicas").GetProperty("value").GetInt32() >= 2);
    }

    [Fact]
    public void Silo_replica_floor_is_at_least_two()
    {
        var floor = Root.GetProperty("parameters").GetProperty("siloMinReplicas");
        Assert.True(floor.GetProperty("minValue").GetInt32() >= 2);
        Assert.True(floor.GetProperty("defaultValue").GetInt32() >= 2);
        var scale = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("template").GetProperty("scale");
        Assert.Contains("minReplicas", JsonTree.String(scale, "minReplicas"), StringComparison.Ordinal);
    }

    [Fact]
    public void Silo_app_has_https_ingress_and_an_external_dicom_tcp_port()
    {
        var app = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single();
        var ingress = app.GetProperty("properties").GetProperty("configuration").GetProperty("ingress");
        Assert.True(ingress.GetProperty("external").GetBoolean());
        Assert.Equal("http", ingress.GetProperty("transport").GetString());
        Assert.False(ingress.GetProperty("allowInsecure").GetBoolean());
        var dicom = Assert.Single(ingress.GetProperty("additionalPortMappings").EnumerateArray());
        Assert.True(dicom.GetProperty("external").GetBoolean());
        Assert.Contains("dicomPort", JsonTree.String(dicom, "targetPort"), StringComparison.Ordinal);
        Assert.Contains("dicomExposedPort", JsonTree.String(dicom, "exposedPort"), StringComparison.Ordinal);

        // External TCP ingress needs a custom VNet: the environment must be VNet-integrated.
        var environment = JsonTree.Resources(Root, "Microsoft.App/managedEnvironments").Single();
        Assert.NotNull(JsonTree.String(environment, "properties", "vnetConfiguration", "infrastructureSubnetId"));
    }

    [Fact]
    public void Silo_probes_use_the_health_endpoints()
    {
        var container = SiloContainer();
        var probes = container.GetProperty("probes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("type").GetString()!, p => JsonTree.String(p, "httpGet", "path"));
        Assert.Equal("/healthz", probes["Liveness"]);
        Assert.Equal("/readyz", probes["Readiness"]);

        // Limits Container Apps enforces at deployment (not in the Bicep types, so the compiler cannot catch them).
        foreach (var probe in container.GetProperty("probes").EnumerateArray())
        {
            if (probe.TryGetProperty("failureThreshold", out var failures))
            {
                Assert.InRange(failures.GetInt32(), 1, 10);
            }

            if (probe.TryGetProperty("initialDelaySeconds", out var delay))
            {
                Assert.InRange(delay.GetInt32(), 0, 60);
            }

            if (probe.TryGetProperty("periodSeconds", out var period))
            {
                Assert.InRange(period.GetInt32(), 1, 240);
            }
        }
    }

    [Fact]
    public void Connection_strings_reach_the_silo_as_secrets_only()
    {
        var env = SiloContainer().GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        foreach (var name in new[] { "Mirc__Cluster__RedisConnectionString", "Mirc__Index__ConnectionString" })
        {
            Assert.True(env[name].TryGetProperty("secretRef", out _), name + " must come from a secret");
            Assert.False(env[name].TryGetProperty("value", out _), name + " must not be a plain value");
        }

        var secrets = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("configuration").GetProperty("secrets").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains(env["Mirc__Cluster__RedisConnectionString"].GetProperty("secretRef").GetString(), secrets);
        Assert.Contains(env["Mirc__Index__ConnectionString"].GetProperty("secretRef").GetString(), secrets);
        Assert.Equal("Redis", env["Mirc__Cluster__Mode"].GetProperty("value").GetString());
        Assert.Equal("Azure", env["Mirc__Storage__Provider"].GetProperty("value").GetString());
        Assert.Equal("Postgres", env["Mirc__Index__Provider"].GetProperty("value").GetString());
        Assert.True(env.ContainsKey("AZURE_CLIENT_ID"), "DefaultAzureCredential needs the user-assigned identity's client id");
        Assert.False(env.ContainsKey("Mirc__Storage__ConnectionString"), "Azure storage is reached with the managed identity, not a key");
    }

    [Fact]
    public void Storage_account_is_private_tls12_and_soft_deletes()
    {
        var account = JsonTree.Resources(Root, "Microsoft.Storage/storageAccounts").Single().GetProperty("properties");
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.True(account.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("Disabled", account.GetProperty("publicNetworkAccess").GetString());

        var blobService = JsonTree.Resources(Root, "Microsoft.Storage/storageAccounts/blobServices").Single().GetProperty("properties");
        Assert.True(blobService.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        Assert.True(blobService.GetProperty("containerDeleteRetentionPolicy").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void Managed_identity_is_storage_blob_data_contributor_and_attached_to_the_silo()
    {
        const string blobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        var assignment = JsonTree.Resources(Root, "Microsoft.Authorization/roleAssignments").Single();
        // The role id is either inline or a template variable holding it.
        var names = JsonTree.Objects(Root).Where(o => o.TryGetProperty("variables", out var v) && v.ValueKind == JsonValueKind.Object)
            .SelectMany(o => o.GetProperty("variables").EnumerateObject())
            .Where(v => v.Value.ValueKind == JsonValueKind.String && v.Value.GetString() == blobDataContributor)
            .Select(v => $"variables('{v.Name}')")
            .Append(blobDataContributor);
        var roleDefinition = JsonTree.String(assignment, "properties", "roleDefinitionId") ?? "";
        Assert.True(names.Any(n => roleDefinition.Contains(n, StringComparison.Ordinal)), roleDefinition);
        Assert.Contains("dataContributorPrincipalId", JsonTree.String(assignment, "properties", "principalId"), StringComparison.Ordinal);
        Assert.Single(JsonTree.Resources(Root, "Microsoft.ManagedIdentity/userAssignedIdentities"));

        var app = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single();
        Assert.Equal("UserAssigned", JsonTree.String(app, "identity", "type"));
    }

    [Fact]
    public void Template_provisions_redis_postgres_and_log_analytics()
    {
        var redis = JsonTree.Resources(Root, "Microsoft.Cache/redis").Single(r => r.TryGetProperty("location", out _));
        Assert.False(redis.GetProperty("properties").GetProperty("enableNonSslPort").GetBoolean());
        Assert.Equal("1.2", JsonTree.String(redis, "properties", "minimumTlsVersion"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers/databases"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.OperationalInsights/workspaces"));
    }

    private JsonElement SiloContainer() =>
        JsonTree.Resources(Root, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("template").GetProperty("containers").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "silo");
}
