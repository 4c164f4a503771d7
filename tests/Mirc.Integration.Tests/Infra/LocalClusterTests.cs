using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// Runs <c>infra/local/start-cluster.sh 2</c> for real (PostgreSQL, Azurite with blobs and the membership/reminder
/// tables, two silos of the built Silo on loopback in AzureStorage cluster mode), checks the two silos form one cluster
/// in the Azurite membership table, then <c>stop-cluster.sh</c> stops everything by PID.
/// </summary>
public sealed partial class LocalClusterTests
{
    [Fact]
    public async Task Two_silo_cluster_starts_joins_and_stops()
    {
        var ct = TestContext.Current.CancellationToken;
        var silo = SiloAssembly();
        var state = Directory.CreateTempSubdirectory("mirc-local-it-");
        var clusterDir = Path.Combine(state.FullName, "cluster");
        var env = new Dictionary<string, string?>
        {
            ["MIRC_CLUSTER_DIR"] = clusterDir,
            ["MIRC_SILO_DLL"] = silo,
            ["MIRC_SILO_READY_TIMEOUT"] = "90",
        };
        var started = false;
        try
        {
            var start = await RunScriptAsync("start-cluster.sh", ["2", "--no-build"], env, TimeSpan.FromMinutes(4), ct);
            started = true;
            Assert.True(start.ExitCode == 0, start.Combined);

            var values = ReadState(Path.Combine(clusterDir, "cluster.env"));
            Assert.Equal("2", values["SILO_COUNT"]);
            var httpPorts = new[] { values["SILO_1_HTTP_PORT"], values["SILO_2_HTTP_PORT"] };
            var siloEndpoints = new[] { $"127.0.0.1:{values["SILO_1_SILO_PORT"]}", $"127.0.0.1:{values["SILO_2_SILO_PORT"]}" };
            Assert.Equal(8, new[] { "HTTP", "DICOM", "SILO", "GATEWAY" }
                .SelectMany(k => new[] { values[$"SILO_1_{k}_PORT"], values[$"SILO_2_{k}_PORT"] }).Distinct().Count());

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var port in httpPorts)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/readyz", ct)).StatusCode);
            }

            // Both silos must be active members of one cluster in the membership table of Azurite's table service.
            Assert.Contains($"TableEndpoint=http://127.0.0.1:{values["AZURITE_TABLE_PORT"]}/", values["STORAGE_CONNECTION_STRING"], StringComparison.Ordinal);
            await WaitForActiveMembersAsync(values["STORAGE_CONNECTION_STRING"], siloEndpoints, ct);

            var status = await RunScriptAsync("status.sh", [], env, TimeSpan.FromMinutes(1), ct);
            Assert.True(status.ExitCode == 0, status.Combined);

            var pids = new[] { "POSTGRES_PID", "AZURITE_PID", "SILO_1_PID", "SILO_2_PID" }
                .Select(k => int.Parse(values[k])).ToList();
            Assert.All(pids, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"pid {pid} should run"));

            var stop = await RunScriptAsync("stop-cluster.sh", [], env, TimeSpan.FromMinutes(2), ct);
            started = false;
            Assert.True(stop.ExitCode == 0, stop.Combined);
            Assert.All(pids, pid => Assert.False(IsRunning(pid), $"pid {pid} still runs after stop-cluster.sh"));
            Assert.False(Directory.Exists(clusterDir), "stop-cluster.sh removes the cluster folder");
        }
        finally
        {
            if (started)
            {
                await RunScriptAsync("stop-cluster.sh", [], env, TimeSpan.FromMinutes(2), CancellationToken.None);
            }

            state.Delete(recursive: true);
        }
    }

    // Orleans.Clustering.AzureStorage keeps one row per silo (and a version row) in "OrleansSiloInstances", with the silo's
    // Address, Port and Status (the SiloStatus name) as string columns.
    private static async Task WaitForActiveMembersAsync(string storageConnection, string[] siloEndpoints, CancellationToken ct)
    {
        var table = new TableServiceClient(storageConnection).GetTableClient("OrleansSiloInstances");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            last.Clear();
            await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                if (row.GetString("Address") is { } address && row.GetString("Port") is { } port)
                {
                    last.Add($"{address}:{port} {row.GetString("Status")}");
                }
            }

            if (siloEndpoints.All(e => last.Contains(e + " Active")))
            {
                return;
            }

            await Task.Delay(500, ct);
        }

        Assert.Fail("the two silos never became active members of one cluster: " + string.Join(", ", last));
    }

    [GeneratedRegex(@"\\(.)")]
    private static partial Regex ShellEscape();

    private static Task<ToolResult> RunScriptAsync(string script, string[] arguments, Dictionary<string, string?> env,
        TimeSpan timeout, CancellationToken ct) =>
        ExternalTool.RunAsync("bash", [RepositoryRoot.Combine("infra", "local", script), .. arguments], timeout, ct,
            RepositoryRoot.Path, env, outputEncoding: System.Text.Encoding.UTF8);

    // The Silo project is built with the test project, in the same configuration.
    private static string SiloAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }

    // KEY=VALUE lines written by printf %q (a backslash escapes the next character, e.g. "\;" in connection strings);
    // a key written again (SILO_COUNT grows as silos start) keeps its last value.
    private static Dictionary<string, string> ReadState(string file)
    {
        var values = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(file).Where(l => l.Contains('=')))
        {
            var pair = line.Split('=', 2);
            values[pair[0]] = ShellEscape().Replace(pair[1].Trim('\'', '"'), "$1");
        }

        return values;
    }

    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            // A zombie (state Z) has exited; only its parent has not reaped it yet.
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
