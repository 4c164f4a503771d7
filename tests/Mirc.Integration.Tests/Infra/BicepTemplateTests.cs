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
        Assert.Equal("Test-Only-Key", values.GetProperty("dicomTlsKeyPem").GetProperty("value").GetString());
        Assert.False(values.TryGetProperty("postgresAdminPassword", out _), "PostgreSQL has no password: Entra ID only");
        Assert.NotEmpty(values.GetProperty("dicomAllowedCidrs").GetProperty("value").EnumerateArray());
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
        var ports = ingress.GetProperty("additionalPortMappings").EnumerateArray().ToList();
        Assert.Equal(2, ports.Count);
        Assert.All(ports, p => Assert.True(p.GetProperty("external").GetBoolean()));
        Assert.Contains("dicomPort", JsonTree.String(ports[0], "targetPort"), StringComparison.Ordinal);
        Assert.Contains("dicomExposedPort", JsonTree.String(ports[0], "exposedPort"), StringComparison.Ordinal);
        // DICOM TLS published too (2762), its certificate and key mounted from container app secrets.
        Assert.Contains("dicomTlsPort", JsonTree.String(ports[1], "targetPort"), StringComparison.Ordinal);
        Assert.Contains("dicomTlsExposedPort", JsonTree.String(ports[1], "exposedPort"), StringComparison.Ordinal);

        // External TCP ingress needs a custom VNet: the environment must be VNet-integrated.
        var environment = JsonTree.Resources(Root, "Microsoft.App/managedEnvironments").Single();
        Assert.NotNull(JsonTree.String(environment, "properties", "vnetConfiguration", "infrastructureSubnetId"));
    }

    [Fact]
    public void Silo_serves_dicom_tls_with_a_mounted_certificate_and_requires_it_of_remote_peers()
    {
        var container = SiloContainer();
        var env = container.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Contains("dicomTlsPort", env["Mirc__Dicom__Tls__Port"].GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.Equal("/certs/dicom-tls.crt", env["Mirc__Dicom__Tls__CertificatePath"].GetProperty("value").GetString());
        Assert.Equal("/certs/dicom-tls.key", env["Mirc__Dicom__Tls__KeyPath"].GetProperty("value").GetString());
        Assert.Equal("true", env["Mirc__Dicom__Tls__RequireForRemotePeers"].GetProperty("value").GetString());
        Assert.Contains(container.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == "/certs");
        var app = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single();
        var certs = app.GetProperty("properties").GetProperty("template").GetProperty("volumes").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "certs");
        Assert.Equal("Secret", certs.GetProperty("storageType").GetString());
        var secrets = app.GetProperty("properties").GetProperty("configuration").GetProperty("secrets").EnumerateArray()
            .Select(x => x.GetProperty("name").GetString()).ToHashSet();
        Assert.All(certs.GetProperty("secrets").EnumerateArray(), x => Assert.Contains(x.GetProperty("secretRef").GetString(), secrets));
        Assert.Equal(JsonValueKind.Undefined, Root.GetProperty("parameters").GetProperty("dicomTlsKeyPem").TryGetProperty("defaultValue", out var d) ? d.ValueKind : JsonValueKind.Undefined);
    }

    [Fact]
    public void Postgres_accepts_the_silo_identity_through_entra_id_only_and_no_password_exists()
    {
        var server = JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers").Single().GetProperty("properties");
        Assert.Equal("Enabled", JsonTree.String(server, "authConfig", "activeDirectoryAuth"));
        Assert.Equal("Disabled", JsonTree.String(server, "authConfig", "passwordAuth"));
        Assert.False(server.TryGetProperty("administratorLoginPassword", out _), "no administrator password");
        var admin = JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers/administrators").Single();
        Assert.Equal("ServicePrincipal", JsonTree.String(admin, "properties", "principalType"));
        Assert.Contains("entraAdminPrincipalId", JsonTree.String(admin, "name"), StringComparison.Ordinal);
        Assert.DoesNotContain(Root.GetProperty("parameters").EnumerateObject(), p => p.Name.Contains("Password", StringComparison.OrdinalIgnoreCase));

        var env = SiloContainer().GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal("EntraId", env["Mirc__Index__PostgresAuthentication"].GetProperty("value").GetString());
        // The connection string handed to the silo names the identity and carries no password.
        var silo = Assert.Single(JsonTree.Objects(Root), o => o.TryGetProperty("postgresConnectionString", out var v) && v.TryGetProperty("value", out _));
        var connection = JsonTree.String(silo, "postgresConnectionString", "value")!;
        Assert.DoesNotContain("Password", connection, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Username=", connection, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_lets_legal_holds_be_placed_on_blob_versions()
    {
        var account = JsonTree.Resources(Root, "Microsoft.Storage/storageAccounts").Single().GetProperty("properties");
        Assert.Contains("legalHoldSupport", JsonTree.String(account, "immutableStorageWithVersioning", "enabled"), StringComparison.Ordinal);
        Assert.True(Root.GetProperty("parameters").GetProperty("blobLegalHoldSupport").GetProperty("defaultValue").GetBoolean());
        var blobService = JsonTree.Resources(Root, "Microsoft.Storage/storageAccounts/blobServices").Single().GetProperty("properties");
        Assert.True(blobService.GetProperty("isVersioningEnabled").GetBoolean(), "version-level immutability needs versioning");
    }

    [Theory]
    [InlineData("blobServices")] // instance and grain-state access
    [InlineData("tableServices")] // membership and reminders
    [InlineData("flexibleServers")] // PostgreSQL connections and errors
    public void Diagnostic_settings_send_all_logs_to_log_analytics(string scope)
    {
        var settings = JsonTree.Resources(Root, "Microsoft.Insights/diagnosticSettings")
            .Where(d => JsonTree.String(d, "scope")?.Contains(scope, StringComparison.Ordinal) == true).ToList();
        var setting = Assert.Single(settings);
        Assert.NotNull(JsonTree.String(setting, "properties", "workspaceId"));
        var logs = Assert.Single(setting.GetProperty("properties").GetProperty("logs").EnumerateArray());
        Assert.Equal("allLogs", logs.GetProperty("categoryGroup").GetString());
        Assert.True(logs.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void Dicom_ports_accept_only_the_allowed_networks()
    {
        var nsg = JsonTree.Resources(Root, "Microsoft.Network/networkSecurityGroups").Single();
        var rules = JsonTree.String(nsg, "properties", "securityRules")!;
        // The allow rule exists only with allowed networks; the deny rule for the internet always.
        Assert.Contains("dicomAllowedCidrs", rules, StringComparison.Ordinal);
        Assert.Contains("'Deny'", rules, StringComparison.Ordinal);
        Assert.Contains("'Internet'", rules, StringComparison.Ordinal);
        Assert.Empty(Root.GetProperty("parameters").GetProperty("dicomAllowedCidrs").GetProperty("defaultValue").EnumerateArray());
        var vnet = JsonTree.Resources(Root, "Microsoft.Network/virtualNetworks").Single();
        var apps = vnet.GetProperty("properties").GetProperty("subnets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "apps");
        Assert.Contains("networkSecurityGroups", JsonTree.String(apps, "properties", "networkSecurityGroup", "id"), StringComparison.Ordinal);
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
        const string index = "Mirc__Index__ConnectionString";
        Assert.True(env[index].TryGetProperty("secretRef", out _), index + " must come from a secret");
        Assert.False(env[index].TryGetProperty("value", out _), index + " must not be a plain value");

        var secrets = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("configuration").GetProperty("secrets").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains(env[index].GetProperty("secretRef").GetString(), secrets);
        // Membership and reminders in the storage account's tables, reached with the managed identity like the blobs.
        Assert.Equal("AzureStorage", env["Mirc__Cluster__Mode"].GetProperty("value").GetString());
        Assert.DoesNotContain(env.Keys, name => name.Contains("Redis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(secrets, name => name!.Contains("redis", StringComparison.OrdinalIgnoreCase));
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

    [Theory]
    [InlineData("ba92f5b4-2d11-453d-a403-e96b0029c9fe")] // Storage Blob Data Contributor: instances, grain state
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3")] // Storage Table Data Contributor: membership, reminders
    public void Managed_identity_has_the_storage_data_role_and_is_attached_to_the_silo(string roleId)
    {
        // The role id is either inline or a template variable holding it.
        var names = JsonTree.Objects(Root).Where(o => o.TryGetProperty("variables", out var v) && v.ValueKind == JsonValueKind.Object)
            .SelectMany(o => o.GetProperty("variables").EnumerateObject())
            .Where(v => v.Value.ValueKind == JsonValueKind.String && v.Value.GetString() == roleId)
            .Select(v => $"variables('{v.Name}')")
            .Append(roleId)
            .ToList();
        var assignment = JsonTree.Resources(Root, "Microsoft.Authorization/roleAssignments")
            .Single(a => names.Any(n => (JsonTree.String(a, "properties", "roleDefinitionId") ?? "").Contains(n, StringComparison.Ordinal)));
        Assert.Contains("dataContributorPrincipalId", JsonTree.String(assignment, "properties", "principalId"), StringComparison.Ordinal);
        Assert.Single(JsonTree.Resources(Root, "Microsoft.ManagedIdentity/userAssignedIdentities"));

        var app = JsonTree.Resources(Root, "Microsoft.App/containerApps").Single();
        Assert.Equal("UserAssigned", JsonTree.String(app, "identity", "type"));
    }

    [Fact]
    public void Silo_identity_reads_the_data_protection_certificate_from_key_vault()
    {
        // Key Vault Certificate User (list versions) and Key Vault Secrets User (download with the private key).
        foreach (var roleId in new[] { "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", "4633458b-17de-408a-b874-0445c86b69e6" })
        {
            Assert.Contains(roleId, compiled.Template.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        var env = SiloContainer().GetProperty("env").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("Mirc__DataProtection__KeyVaultUri", env);
        Assert.Contains("Mirc__DataProtection__CertificateName", env);
    }

    [Theory]
    [InlineData("blob")]
    [InlineData("table")]
    public void Storage_service_is_reached_through_a_private_endpoint_with_its_dns_zone(string service)
    {
        var endpoint = JsonTree.Resources(Root, "Microsoft.Network/privateEndpoints").Single(e =>
            e.GetProperty("properties").GetProperty("privateLinkServiceConnections").EnumerateArray()
                .Any(c => c.GetProperty("properties").GetProperty("groupIds").EnumerateArray().Any(g => g.GetString() == service)));
        Assert.NotNull(JsonTree.String(endpoint, "properties", "subnet", "id"));
        var zoneGroup = JsonTree.Resources(Root, "Microsoft.Network/privateEndpoints/privateDnsZoneGroups")
            .Single(g => g.GetProperty("properties").GetProperty("privateDnsZoneConfigs").EnumerateArray()
                .Any(c => c.GetProperty("name").GetString() == service));
        Assert.Contains($"{service}PrivateDnsZoneId", JsonTree.String(zoneGroup.GetProperty("properties").GetProperty("privateDnsZoneConfigs")[0],
            "properties", "privateDnsZoneId"), StringComparison.OrdinalIgnoreCase);
        // The private DNS zone privatelink.<service>.<storage suffix> is created and linked to the VNet.
        Assert.Contains(JsonTree.Objects(Root), o => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("zoneName", out var zone)
            && (JsonTree.String(zone, "value") ?? "").Contains($"privatelink.{service}.", StringComparison.Ordinal));
    }

    [Fact]
    public void Template_provisions_storage_postgres_and_log_analytics_but_no_redis()
    {
        Assert.Empty(JsonTree.Resources(Root, "Microsoft.Cache/redis"));
        Assert.DoesNotContain("redis", compiled.Template.RootElement.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Single(JsonTree.Resources(Root, "Microsoft.Storage/storageAccounts"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.DBforPostgreSQL/flexibleServers/databases"));
        Assert.Single(JsonTree.Resources(Root, "Microsoft.OperationalInsights/workspaces"));
    }

    private JsonElement SiloContainer() =>
        JsonTree.Resources(Root, "Microsoft.App/containerApps").Single()
            .GetProperty("properties").GetProperty("template").GetProperty("containers").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "silo");
}
