using System.Text;
using System.Text.Json;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// The YAML files of <c>infra/k8s</c>, parsed by PyYAML (Debian python3-yaml) into JSON. Without PyYAML only the
/// structural checks run; <see cref="Documents"/> is then null.
/// </summary>
public sealed class KubernetesManifests : IAsyncLifetime
{
    private const string ToJson =
        "import sys, json, yaml\n" +
        "out = {}\n" +
        "for path in sys.argv[1:]:\n" +
        "    with open(path) as f:\n" +
        "        out[path] = [d for d in yaml.safe_load_all(f) if d is not None]\n" +
        "print(json.dumps(out))\n";

    public static string Folder => RepositoryRoot.Combine("infra", "k8s");

    public static IReadOnlyList<string> Files => Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal).ToList();

    /// <summary>Parsed documents per file name (e.g. <c>deployment.yaml</c>), or null when PyYAML is missing.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>>? Documents { get; private set; }

    public string? ParseError { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            ToolResult probe;
            try
            {
                probe = await ExternalTool.RunAsync(python, ["-c", "import yaml"], TimeSpan.FromSeconds(30), ct);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                continue;
            }

            if (probe.ExitCode != 0)
            {
                continue;
            }

            var result = await ExternalTool.RunAsync(python, ["-c", ToJson, .. Files], TimeSpan.FromSeconds(60), ct, outputEncoding: Encoding.UTF8);
            if (result.ExitCode != 0)
            {
                ParseError = result.Combined;
                Documents = new Dictionary<string, IReadOnlyList<JsonElement>>();
                return;
            }

            using var json = JsonDocument.Parse(result.StandardOutput);
            Documents = json.RootElement.EnumerateObject().ToDictionary(
                p => Path.GetFileName(p.Name),
                p => (IReadOnlyList<JsonElement>)p.Value.EnumerateArray().Select(d => d.Clone()).ToList());
            return;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The single document of a file, failing the test when PyYAML is missing.</summary>
    public JsonElement Single(string file)
    {
        var documents = Require();
        Assert.True(documents.ContainsKey(file), file + " missing");
        return Assert.Single(documents[file]);
    }

    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Require()
    {
        Assert.SkipWhen(Documents is null, "PyYAML (Debian python3-yaml) is not installed: only structural checks ran");
        Assert.True(ParseError is null, ParseError);
        return Documents!;
    }
}
