using System.Net;
using System.Text.Json;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// Runs <c>infra/local/start-cluster.sh 2</c> for real (Redis, PostgreSQL, Azurite, two silos of the built Silo on
/// loopback), checks the two silos form one cluster, then <c>stop-cluster.sh</c> stops everything by PID.
/// </summary>
public sealed class LocalClusterTests
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

            // Both silos must be active members of one cluster in the Redis membership table.
            await WaitForActiveMembersAsync(values["REDIS_PORT"], siloEndpoints, ct);

            var status = await RunScriptAsync("status.sh", [], env, TimeSpan.FromMinutes(1), ct);
            Assert.True(status.ExitCode == 0, status.Combined);

            var pids = new[] { "REDIS_PID", "POSTGRES_PID", "AZURITE_PID", "SILO_1_PID", "SILO_2_PID" }
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

    // Orleans.Clustering.Redis keeps one hash per cluster ("<service>/members/<cluster>"), one JSON entry per silo;
    // Status 3 is SiloStatus.Active.
    private static async Task WaitForActiveMembersAsync(string redisPort, string[] siloEndpoints, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var keys = await ExternalCommand.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", redisPort, "--scan", "--pattern", "*/members/*"],
                TimeSpan.FromSeconds(10), ct);
            var key = Assert.Single(keys.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var table = await ExternalCommand.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", redisPort, "--raw", "HVALS", key],
                TimeSpan.FromSeconds(10), ct);
            last = table.StandardOutput;
            var active = last.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith('{'))
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(m => m.GetProperty("Status").GetInt32() == 3)
                .Select(m => m.GetProperty("SiloAddress").GetProperty("SiloAddress").GetString() ?? "")
                .ToList();
            if (siloEndpoints.All(e => active.Any(a => a.StartsWith(e + "@", StringComparison.Ordinal))))
            {
                return;
            }

            await Task.Delay(500, ct);
        }

        Assert.Fail("the two silos never became active members of one cluster: " + last);
    }

    private static Task<CommandResult> RunScriptAsync(string script, string[] arguments, Dictionary<string, string?> env,
        TimeSpan timeout, CancellationToken ct) =>
        ExternalCommand.RunAsync("bash", [RepositoryRoot.Combine("infra", "local", script), .. arguments], timeout, ct,
            environment: env);

    // The Silo project is built with the test project, in the same configuration.
    private static string SiloAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }

    // KEY=VALUE lines; a key written again (SILO_COUNT grows as silos start) keeps its last value.
    private static Dictionary<string, string> ReadState(string file)
    {
        var values = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(file).Where(l => l.Contains('=')))
        {
            var pair = line.Split('=', 2);
            values[pair[0]] = pair[1].Trim('\'', '"');
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
