using Npgsql;
using Xunit;

namespace Mirc.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster from the Debian binaries on a free loopback port (run as user postgres when the
/// tests run as root), stopped and deleted at the end. Each test gets its own schema.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private string? _directory;
    private string? _binaries;
    private int _port;

    /// <summary>Connection string of the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Creates an empty schema and returns a connection string whose search path is that schema.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString();
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Run ./test.sh (installs the Debian package) or apt-get install -y postgresql.");
        _port = TestEnvironment.FreeLoopbackPort();
        _directory = TestEnvironment.NewTempDirectory("pg");
        var data = Path.Combine(_directory, "data");
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _directory]);
        }

        await RunAsPostgresAsync(Path.Combine(_binaries, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        await RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o",
             $"-p {_port} -k {_directory} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50", "start"]);
        ConnectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=20;Timeout=30";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is not null && _binaries is not null && Directory.Exists(Path.Combine(_directory, "data")))
        {
            try
            {
                await RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        if (_directory is not null)
        {
            TestEnvironment.TryDeleteDirectory(_directory);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;

    private static Task RunAsPostgresAsync(string program, string[] arguments)
    {
        if (!IsRoot)
        {
            return RunAsync(program, arguments);
        }

        // su takes one shell command line: quote every argument.
        var command = string.Join(' ', new[] { program }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", command]);
    }

    private static async Task RunAsync(string program, string[] arguments)
    {
        var run = await ExternalTool.RunAsync(program, arguments, TimeSpan.FromSeconds(90), CancellationToken.None, workingDirectory: "/tmp");
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({run.ExitCode}): {run.StandardOutput} {run.StandardError}");
        }
    }
}
