using System.Text.Json;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// Compiles <c>infra/azure/main.bicep</c> and its example parameter file once per test run (the compiler takes
/// seconds of CPU), shared by every class that uses this fixture.
/// </summary>
public sealed class CompiledBicepTemplate : IAsyncLifetime
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Compilation? _shared;

    public ToolResult TemplateBuild => Shared.TemplateBuild;

    public ToolResult ParametersBuild => Shared.ParametersBuild;

    public JsonDocument Template => Shared.Template;

    public JsonDocument Parameters => Shared.Parameters;

    private static Compilation Shared => _shared ?? throw new InvalidOperationException("fixture not initialized");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await Gate.WaitAsync(ct);
        try
        {
            _shared ??= await CompileAsync(ct);
        }
        finally
        {
            Gate.Release();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task<Compilation> CompileAsync(CancellationToken ct)
    {
        var bicep = await BicepCli.LocateAsync(ct);
        var azure = RepositoryRoot.Combine("infra", "azure");
        var output = Directory.CreateTempSubdirectory("mirc-bicep-out-");
        try
        {
            var template = Path.Combine(output.FullName, "main.json");
            var parameters = Path.Combine(output.FullName, "main.parameters.json");
            var templateBuild = await ExternalTool.RunAsync(bicep,
                ["build", Path.Combine(azure, "main.bicep"), "--outfile", template], TimeSpan.FromMinutes(2), ct, RepositoryRoot.Path);
            var parametersBuild = await ExternalTool.RunAsync(bicep,
                ["build-params", Path.Combine(azure, "main.bicepparam"), "--outfile", parameters], TimeSpan.FromMinutes(2), ct, RepositoryRoot.Path, new Dictionary<string, string?> { ["MIRC_DICOM_TLS_CERT"] = "Test-Only-Cert", ["MIRC_DICOM_TLS_KEY"] = "Test-Only-Key" });
            return new Compilation(
                templateBuild,
                parametersBuild,
                JsonDocument.Parse(File.Exists(template) ? await File.ReadAllTextAsync(template, ct) : "{}"),
                JsonDocument.Parse(File.Exists(parameters) ? await File.ReadAllTextAsync(parameters, ct) : "{}"));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private sealed record Compilation(ToolResult TemplateBuild, ToolResult ParametersBuild, JsonDocument Template, JsonDocument Parameters);
}
