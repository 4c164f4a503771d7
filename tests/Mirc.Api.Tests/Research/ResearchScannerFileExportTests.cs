using System.Net;
using System.Net.Http.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Mirc.Testing;
using Mirc.Testing.Deidentification;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// De-identification of files real scanners wrote, not ours: the MR images of the Debian corpus (Siemens series with
/// their private CSA headers, Philips' enhanced MR with 176 per-frame functional group items, nibabel's and heudiconv's
/// samples) are stored and exported; dcmdump finds no attribute of PS3.15 Table E.1-1 keeping its original value at any
/// depth, and dciodvfy no new error.
/// </summary>
public sealed class ResearchScannerFileExportTests : IAsyncLifetime
{
    private ApiHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _host = new ApiHost();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Scanner_written_mr_files_are_exported_without_identifying_values()
    {
        var originals = DebianDicomCorpus.ReadableByDcmdump
            .Where(f => f.Name.StartsWith("python3-nibabel/", StringComparison.Ordinal) || f.Name.StartsWith("heudiconv/", StringComparison.Ordinal))
            .Select(f => f.Path).ToList();
        Assert.True(originals.Count >= 10, $"only {originals.Count} scanner files: ./test.sh unpacks them into .tools/debian-dicom");
        using (var technician = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Technician, "10000000720")))
        {
            foreach (var path in originals)
            {
                using var stow = await technician.StowAsync([await File.ReadAllBytesAsync(path, Ct)]);
            }
        }

        using var manager = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.ResearchManager, "10000000721"));
        var project = new { name = "MR physics", purpose = "Sequence comparison, ethics committee approval 2026-40", cohort = new { modalities = new[] { "MR" } } };
        using var created = await manager.PostAsJsonAsync("/api/research/projects", project, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var projectId = (await created.ReadJsonAsync()).GetProperty("projectId").GetString()!;
        var (export, folder) = await ResearchExportRun.RunAsync(manager, projectId, _host.DataPath);
        Assert.Equal("completed", export.GetProperty("status").GetString());
        var files = Directory.GetFiles(folder, "*.dcm", SearchOption.AllDirectories);
        Assert.True(files.Length >= 8, $"{files.Length} files exported: {export}");

        // Each file dumped once (the Philips file alone holds 176 functional group items), then every pair compared.
        var knownErrors = new HashSet<string>();
        var before = new List<(string Name, IReadOnlyList<IndependentDeidentificationCheck.DumpedAttribute> Dump)>();
        foreach (var original in originals)
        {
            knownErrors.UnionWith(await IndependentDeidentificationCheck.ValidationErrorsAsync(original));
            before.Add((Path.GetFileName(original), await IndependentDeidentificationCheck.DumpAsync(original)));
        }

        var problems = new List<string>();
        foreach (var file in files)
        {
            var after = await IndependentDeidentificationCheck.DumpAsync(file);
            foreach (var (name, dump) in before)
            {
                var leaks = IndependentDeidentificationCheck.SurvivingIdentifiers(dump, after);
                if (leaks.Count > 0) problems.Add($"{Path.GetFileName(file)} keeps values of {name}: {string.Join("; ", leaks)}");
            }

            var newErrors = (await IndependentDeidentificationCheck.ValidationErrorsAsync(file)).Except(knownErrors).ToArray();
            if (newErrors.Length > 0) problems.Add($"dciodvfy: new errors in {Path.GetFileName(file)}: {string.Join("; ", newErrors)}");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(30)));
    }
}
