using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// The silo as the container image ships it, started the way the Kubernetes manifests start it: the publish output of
/// <c>Silo/Dockerfile</c>'s build stage as the working folder, <c>infra/docker/silo-entrypoint.sh</c>, exactly the
/// environment of <c>configmap.yaml</c> + the Deployment's <c>env</c> (pod IP, Secret keys with test values), cluster
/// mode against PostgreSQL and Azurite — all inside a private network namespace whose only non-loopback address plays
/// the pod IP, so the silo binds and advertises a real address while no packet leaves the machine.
/// </summary>
public sealed class ShippedImageStartTests(KubernetesManifests manifests) : IClassFixture<KubernetesManifests>, IDisposable
{
    private const string PodIp = "10.77.0.2";
    private const string PostgresPassword = "test-only-Pg-password-7";

    // Azurite's fixed, publicly documented development account (not a secret).
    private const string AzuriteAccount = "devstoreaccount1";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mirc-image-");
    private readonly StringBuilder _siloOutput = new();
    private int _user = 1654;  // the Deployment's runAsUser / runAsGroup, read with its environment
    private int _group = 1654;

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_work.FullName);

    [Fact]
    public async Task Published_silo_started_as_the_manifests_do_is_ready_lets_the_administrator_in_and_seeds_no_demo()
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = Stopwatch.StartNew();
        var app = await PublishAsync(ct);
        Assert.False(File.Exists(Path.Combine(app, "appsettings.demo.json")), "the demo seed must not be published");

        await using var ns = await NetworkNamespace.CreateAsync(PodIp, 24, TimeSpan.FromSeconds(150), ct);
        var postgres = await StartPostgresAsync(ns, ct);
        using var azurite = StartAzurite(ns);
        var environment = ManifestEnvironment(postgres);
        var data = Directory.CreateDirectory(Path.Combine(_work.FullName, "data")); // the Deployment's /data volume
        var home = Directory.CreateDirectory(Path.Combine(_work.FullName, "home")); // its /home/app volume
        await ExternalTool.RunAsync("chown", ["-R", $"{_user}:{_group}", data.FullName, home.FullName], TimeSpan.FromSeconds(10), ct);
        environment["Mirc__DataPath"] = data.FullName;
        environment["HOME"] = home.FullName;
        // The manifests wrap the shared Data Protection key ring with a Key Vault certificate; no vault is reachable
        // from a test, so its certificate (RSA, like the vault's default policy) comes from a mounted file instead.
        Assert.StartsWith("https://", environment["Mirc__DataProtection__KeyVaultUri"], StringComparison.Ordinal);
        environment.Remove("Mirc__DataProtection__KeyVaultUri");
        environment.Remove("Mirc__DataProtection__CertificateName");
        environment["Mirc__DataProtection__CertificatePath"] = await WriteWrappingCertificateAsync(ct);
        environment["MIRC_APP_DIR"] = app;

        using var silo = StartSilo(ns, app, environment);
        try
        {
            await WaitForStorageAsync(ns, ct);
            await WaitUntilReadyAsync(ns, silo, ct);

            // A login with the first-start credentials (one-time password + TOTP, replaced at first login).
            var credentials = await ReadCredentialsAsync(Path.Combine(data.FullName, "security", "first-start-credentials.txt"), ct);
            var (password, secret) = AccountBlock(credentials, "admin");
            var totp = (await ExternalTool.RunAsync("oathtool", ["--totp", "-b", secret], TimeSpan.FromSeconds(10), ct)).StandardOutput.Trim();
            var login = await CurlAsync(ns, ct, "-X", "POST", $"http://{PodIp}:8080/api/auth/token",
                "--data-urlencode", "username=admin", "--data-urlencode", "password=" + password, "--data-urlencode", "totp=" + totp,
                "--data-urlencode", "new_password=Image-Start-Check-2026!");
            Assert.True(login.Status == 200, $"login: {login.Status} {login.Body}\n{SiloLog()}");
            var token = JsonDocument.Parse(login.Body).RootElement.GetProperty("access_token").GetString()!;
            var me = await CurlAsync(ns, ct, "-H", "Authorization: Bearer " + token, $"http://{PodIp}:8080/api/auth/me");
            Assert.Equal(200, me.Status);

            // Nothing of the demo: no seeded account, establishment, professional or AE title.
            Assert.DoesNotContain("radiologue", credentials, StringComparison.Ordinal);
            foreach (var path in new[] { "/api/establishments/750000001", "/api/professionals/10000000001" })
            {
                var demo = await CurlAsync(ns, ct, "-H", "Authorization: Bearer " + token, $"http://{PodIp}:8080{path}");
                Assert.True(demo.Status == 404, $"GET {path}: {demo.Status} {demo.Body}");
            }

            var echo = await ns.RunAsync(TimeSpan.FromSeconds(20), ct, "echoscu", "-aet", "STORESCU", "-aec", "MIRC", PodIp, "11112");
            Assert.NotEqual(0, echo.ExitCode);
            Assert.Contains("Calling AE Title Not Recognized", echo.Combined, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Seeded AE title", SiloLog(), StringComparison.Ordinal);
            Assert.DoesNotContain("Seeded establishment", SiloLog(), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(silo);
            await ExternalTool.RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", $"{postgres.Binaries}/pg_ctl -D '{postgres.Data}' -m immediate -w stop"],
                TimeSpan.FromSeconds(30), CancellationToken.None);
            azurite.Kill(entireProcessTree: true);
        }

        Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"took {deadline.Elapsed}");
    }

    // The same publish as Silo/Dockerfile's build stage (dotnet publish -c Release /p:UseAppHost=false), from the binaries
    // the test run built (--no-build): the portal scripts in them were compiled by the same pinned tsc as the image's
    // portal stage (Api/Mirc.Api.csproj, MIRC_TOOLS_DIR).
    private async Task<string> PublishAsync(CancellationToken ct)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var output = Path.Combine(_work.FullName, "app");
        var result = await ExternalTool.RunAsync("dotnet",
            ["publish", RepositoryRoot.Combine("Silo", "Mirc.Silo.csproj"), "-c", configuration, "--no-build", "--nologo", "-v", "quiet", "-o", output, "/p:UseAppHost=false"],
            TimeSpan.FromSeconds(60), ct, RepositoryRoot.Path);
        Assert.True(result.ExitCode == 0, "dotnet publish failed: " + result.Combined);
        Assert.True(File.Exists(Path.Combine(output, "Mirc.Silo.dll")), "publish output lacks Mirc.Silo.dll");
        // The image's working folder is the publish folder (WORKDIR /app), readable by its non-root user.
        await ExternalTool.RunAsync("chmod", ["-R", "a+rX", _work.FullName], TimeSpan.FromSeconds(10), ct);
        return output;
    }

    // A self-signed RSA certificate with its key, readable by the pod's user only (as a mounted Secret volume).
    private async Task<string> WriteWrappingCertificateAsync(CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "certs")).FullName;
        var path = Path.Combine(folder, "data-protection.pfx");
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=mirc-data-protection", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            await File.WriteAllBytesAsync(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), ct);
        }

        await ExternalTool.RunAsync("chown", ["-R", $"{_user}:{_group}", folder], TimeSpan.FromSeconds(10), ct);
        await ExternalTool.RunAsync("chmod", ["0400", path], TimeSpan.FromSeconds(10), ct);
        return path;
    }

    // configmap.yaml's data (envFrom) + the Deployment's env entries, resolved as Kubernetes would for this pod.
    private Dictionary<string, string> ManifestEnvironment(PostgresServer postgres)
    {
        var documents = manifests.Documents ?? throw new InvalidOperationException(
            "PyYAML (Debian python3-yaml, installed by ./test.sh) is needed to read infra/k8s");
        Assert.True(manifests.ParseError is null, manifests.ParseError);
        var configMap = Assert.Single(documents["configmap.yaml"]);
        var secret = Assert.Single(documents["secret.template.yaml"]).GetProperty("stringData");
        var pod = Assert.Single(documents["deployment.yaml"]).GetProperty("spec").GetProperty("template").GetProperty("spec");
        var container = Assert.Single(pod.GetProperty("containers").EnumerateArray());
        _user = pod.GetProperty("securityContext").GetProperty("runAsUser").GetInt32();
        _group = pod.GetProperty("securityContext").GetProperty("runAsGroup").GetInt32();

        // Test values for the Secret's keys: the silo's own PostgreSQL role (password auth) and Azurite.
        var secretValues = new Dictionary<string, string>
        {
            ["postgres-connection-string"] = $"Host=127.0.0.1;Port={postgres.Port};Database=mirc;Username=mirc;Password={PostgresPassword};SSL Mode=Disable",
            ["storage-connection-string"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
                $"BlobEndpoint=http://127.0.0.1:10000/{AzuriteAccount};TableEndpoint=http://127.0.0.1:10002/{AzuriteAccount};",
        };

        var environment = new Dictionary<string, string>();
        foreach (var source in container.GetProperty("envFrom").EnumerateArray())
        {
            Assert.Equal("mirc-silo-config", source.GetProperty("configMapRef").GetProperty("name").GetString());
            foreach (var entry in configMap.GetProperty("data").EnumerateObject())
            {
                environment[entry.Name] = entry.Value.ToString();
            }
        }

        foreach (var entry in container.GetProperty("env").EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            if (entry.TryGetProperty("value", out var value))
            {
                environment[name] = value.ToString();
                continue;
            }

            var from = entry.GetProperty("valueFrom");
            if (from.TryGetProperty("fieldRef", out var field))
            {
                Assert.Equal("status.podIP", field.GetProperty("fieldPath").GetString());
                environment[name] = PodIp;
            }
            else
            {
                var key = from.GetProperty("secretKeyRef").GetProperty("key").GetString()!;
                Assert.True(secret.TryGetProperty(key, out _), $"deployment.yaml reads Secret key {key}, missing from secret.template.yaml");
                Assert.True(secretValues.ContainsKey(key), $"this test has no value for the Secret key {key}");
                environment[name] = secretValues[key];
            }
        }

        return environment;
    }

    private sealed record PostgresServer(string Binaries, string Data, int Port);

    // A throw-away cluster listening on the namespace's loopback only; the silo logs in with a password like in production.
    private async Task<PostgresServer> StartPostgresAsync(NetworkNamespace ns, CancellationToken ct)
    {
        var binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;
        Assert.True(binaries is not null, "PostgreSQL server binaries not found under /usr/lib/postgresql (./test.sh installs them)");
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "pg")).FullName;
        var data = Path.Combine(folder, "data");
        await ExternalTool.RunAsync("chown", ["-R", "postgres:postgres", folder], TimeSpan.FromSeconds(10), ct);
        const int port = 5432; // the namespace is private: the standard port is free
        var script = string.Join(" && ",
            $"{binaries}/initdb -D '{data}' -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C >/dev/null",
            $"{binaries}/pg_ctl -D '{data}' -l '{folder}/server.log' -w -t 60 -o \"-p {port} -k {folder} -h 127.0.0.1 -c fsync=off\" start >/dev/null",
            $"{binaries}/psql -h {folder} -p {port} -U postgres -v ON_ERROR_STOP=1 -c \"CREATE ROLE mirc LOGIN PASSWORD '{PostgresPassword}'\" -c \"CREATE DATABASE mirc OWNER mirc\"");
        var result = await ns.RunAsync(TimeSpan.FromSeconds(60), ct, "su", "postgres", "-s", "/bin/sh", "-c", script);
        Assert.True(result.ExitCode == 0, "PostgreSQL: " + result.Combined);
        return new PostgresServer(binaries!, data, port);
    }

    // Azurite on the namespace's loopback at its default ports, telemetry off (it must never reach an outside host).
    private Process StartAzurite(NetworkNamespace ns)
    {
        var script = Path.Combine(TestEnvironment.ToolsDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        Assert.True(File.Exists(script), $"Azurite is not installed ({script}); ./test.sh installs tools/package.json (MIRC_TOOLS_DIR)");
        var location = Directory.CreateDirectory(Path.Combine(_work.FullName, "azurite")).FullName;
        return Start(ns.Command("node", script, "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", "10000",
            "--queueHost", "127.0.0.1", "--queuePort", "10001", "--tableHost", "127.0.0.1", "--tablePort", "10002",
            "--location", location, "--skipApiVersionCheck", "--loose", "--silent"), environment: null, workingDirectory: location, output: null);
    }

    // The image's ENTRYPOINT as its non-root user, in its WORKDIR, with only the manifests' environment (+ PATH/HOME).
    private Process StartSilo(NetworkNamespace ns, string app, Dictionary<string, string> environment)
    {
        environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Start(ns.Command("setpriv", $"--reuid={_user}", $"--regid={_group}", "--clear-groups", "--",
            "sh", RepositoryRoot.Combine("infra", "docker", "silo-entrypoint.sh")), environment, app, _siloOutput);
    }

    private static Process Start(IReadOnlyList<string> nsenterArguments, Dictionary<string, string>? environment, string workingDirectory, StringBuilder? output)
    {
        var start = new ProcessStartInfo("nsenter")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in nsenterArguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nsenter did not start");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder? output, string? line)
    {
        if (output is null || line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private string SiloLog()
    {
        lock (_siloOutput)
        {
            return _siloOutput.ToString();
        }
    }

    private static async Task WaitForStorageAsync(NetworkNamespace ns, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var probe = await ns.RunAsync(TimeSpan.FromSeconds(10), ct, "curl", "-s", "-o", "/dev/null", "http://127.0.0.1:10002/");
            if (probe.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(200, ct);
        }

        Assert.Fail("Azurite did not listen within 20 s");
    }

    private async Task WaitUntilReadyAsync(NetworkNamespace ns, Process silo, CancellationToken ct)
    {
        var limit = Stopwatch.StartNew();
        var last = default((int Status, string Body));
        while (limit.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(silo.HasExited, "the silo exited: " + SiloLog());
            last = await CurlAsync(ns, ct, $"http://{PodIp}:8080/readyz");
            if (last.Status == 200)
            {
                return;
            }

            await Task.Delay(500, ct);
        }

        Assert.Fail($"/readyz on {PodIp}:8080 answered {last.Status} {last.Body} after 60 s: {SiloLog()}");
    }

    // curl inside the namespace, as the ingress would call the silo: TLS ended in front, the original scheme forwarded.
    private static async Task<(int Status, string Body)> CurlAsync(NetworkNamespace ns, CancellationToken ct, params string[] arguments)
    {
        var result = await ns.RunAsync(TimeSpan.FromSeconds(20), ct, "curl",
            ["-s", "--max-time", "15", "-H", "X-Forwarded-Proto: https", "-H", "X-Forwarded-For: 192.0.2.10", "-w", "\n%{http_code}", .. arguments]);
        var text = result.StandardOutput.TrimEnd('\n');
        var split = text.LastIndexOf('\n');
        var status = int.TryParse(split < 0 ? text : text[(split + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0;
        return (status, split < 0 ? string.Empty : text[..split]);
    }

    private static async Task<string> ReadCredentialsAsync(string path, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100 && !File.Exists(path); attempt++)
        {
            await Task.Delay(200, ct);
        }

        Assert.True(File.Exists(path), "no first-start credentials file at " + path);
        return await File.ReadAllTextAsync(path, ct);
    }

    // The account's block of the first-start file: its one-time password and the TOTP secret of its otpauth:// URI.
    private static (string Password, string Secret) AccountBlock(string credentials, string username)
    {
        var lines = credentials.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains("username:", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" " + username, StringComparison.Ordinal));
        Assert.True(start >= 0, $"no block for {username} in: {credentials}");
        var block = lines.Skip(start).Take(4).ToList();
        var password = block.Select(l => l.Split("one-time password:", 2)).First(p => p.Length == 2)[1].Trim();
        var uri = block.First(l => l.Contains("secret=", StringComparison.Ordinal));
        var secret = new string(uri[(uri.IndexOf("secret=", StringComparison.Ordinal) + 7)..].TakeWhile(char.IsAsciiLetterOrDigit).ToArray());
        return (password, secret);
    }

    // SIGTERM as the kubelet sends it; killed only if it does not stop within the Deployment's grace period share.
    private static async Task StopAsync(Process silo)
    {
        if (!silo.HasExited)
        {
            await ExternalTool.RunAsync("kill", ["-TERM", silo.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10), CancellationToken.None);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await silo.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
