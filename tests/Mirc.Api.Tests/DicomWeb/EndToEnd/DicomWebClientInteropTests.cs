using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mirc.Api.Tests.Hosting;
using Mirc.Testing;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

/// <summary>
/// Interoperability: the npm package <c>dicomweb-client</c> (used by OHIF and Slim viewers) drives STOW, QIDO, WADO
/// (instances, frames, metadata, bulk data) against the real host over real HTTP, through tools/dicomweb-interop.
/// Needs node and the packages of tools/package.json installed (./test.sh does it, exporting MIRC_TOOLS_DIR).
/// </summary>
public sealed class DicomWebClientInteropTests : IAsyncLifetime
{
    // tools/dicomweb-interop sends no bearer token: this test is about wire interoperability, security is off here.
    private readonly ApiHost _host = new(realHttp: true, openAccess: true);
    private readonly string _files = Directory.CreateTempSubdirectory("mirc-interop-").FullName;

    public ValueTask InitializeAsync()
    {
        _host.StartServer();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task Dicomweb_client_stores_finds_and_retrieves_byte_identical_data()
    {
        var study = StudyDescription.Create();
        var seriesA = SyntheticInstance.NewUid();
        var seriesB = SyntheticInstance.NewUid();
        SyntheticInstance[] instances =
        [
            SyntheticInstance.Native(study, seriesA, 1, 1),
            SyntheticInstance.Native(study, seriesA, 1, 2, frames: 1),
            SyntheticInstance.Jpeg(study, seriesB, 2, 1),
        ];
        var paths = new List<string>();
        foreach (var instance in instances)
        {
            var path = Path.Combine(_files, instance.SopUid + ".dcm");
            await File.WriteAllBytesAsync(path, instance.Bytes, TestContext.Current.CancellationToken);
            paths.Add(path);
        }

        var report = await RunInteropAsync(new Uri(_host.BaseAddress!, "/dicomweb").ToString(), paths);

        var referenced = report.GetProperty("stored").GetProperty("00081199").GetProperty("Value");
        Assert.Equal(instances.Length, referenced.GetArrayLength());
        Assert.Equal(study.StudyUid, Assert.Single(report.GetProperty("studies").EnumerateArray()).DicomValue("0020000D"));
        Assert.Equal(2, report.GetProperty("series").GetArrayLength());
        Assert.Equal(instances.Length, report.GetProperty("instances").GetArrayLength());
        Assert.Equal(instances.Length, report.GetProperty("metadata").GetArrayLength());
        foreach (var instance in instances)
        {
            Assert.Equal(Hash(instance.Bytes), report.GetProperty("retrieved").GetProperty(instance.SopUid).GetString());
            Assert.Equal(Hash(instance.Frames[0]), report.GetProperty("frames").GetProperty(instance.SopUid)[0].GetString());
            var bulk = report.GetProperty("bulkData").GetProperty(instance.SopUid).EnumerateArray().Select(e => e.GetString()).ToArray();
            var expected = instance.TransferSyntaxUid == "1.2.840.10008.1.2.1"
                ? [Hash(instance.Frames.SelectMany(f => f).ToArray())]
                : instance.Frames.Select(f => Hash(f)).ToArray();
            Assert.Equal(expected, bulk);
        }
    }

    private static async Task<JsonElement> RunInteropAsync(string baseUrl, IEnumerable<string> files)
    {
        var repo = RepositoryRoot();
        var tools = Environment.GetEnvironmentVariable("MIRC_TOOLS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(repo, ".tools");
        var modules = Path.Combine(tools, "node_modules");
        Assert.True(Directory.Exists(Path.Combine(modules, "dicomweb-client")) && Directory.Exists(Path.Combine(modules, "xhr2")),
            $"dicomweb-client and xhr2 are not installed under {modules}: run ./test.sh (it installs tools/package.json into .tools) or set MIRC_TOOLS_DIR.");

        var run = await ExternalTool.RunAsync("node", [Path.Combine(repo, "tools", "dicomweb-interop", "interop.js"), baseUrl, .. files],
            TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken,
            environment: new Dictionary<string, string?> { ["NODE_PATH"] = modules }, outputEncoding: Encoding.UTF8);
        Assert.True(run.ExitCode == 0, $"interop script failed ({run.ExitCode}): {run.StandardError}");
        return JsonDocument.Parse(run.StandardOutput).RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mirc.Orleans.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Repository root (Mirc.Orleans.sln) not found above " + AppContext.BaseDirectory);
    }
}
