using System.Text.Json;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Operations;
using Mirc.Grains.Security;
using Mirc.Grains.Storage.Blobs;
using Mirc.Silo.Hosting;

namespace Mirc.Silo.Admin;

/// <summary>
/// <c>mirc-admin</c>: operator commands of the silo executable (<c>dotnet Mirc.Silo.dll admin &lt;command&gt;</c>,
/// <c>dotnet run --project Silo -- admin &lt;command&gt;</c>). They read the silo's own configuration (appsettings.json
/// beside the executable, <c>Mirc__*</c> environment variables, <c>--Mirc:…=…</c> arguments) and, except
/// <c>export-config</c>, act on the running cluster through its Orleans gateway (<c>Mirc:GatewayPort</c>). Whoever can
/// run them on a silo machine administers the archive: the gateway is bound to loopback in the embedded default.
/// </summary>
public static class AdminCommand
{
    public const string Usage = """
        usage: dotnet Mirc.Silo.dll admin <command> [arguments] [--Mirc:Setting=value …]
          status                              silos of the cluster and their state
          create-account <username> --establishment <id> --roles <Role,Role> [--name "Display name"]
                                              a local account; prints its one-time password and TOTP enrolment URI
          reset-account <username>            new one-time password and TOTP enrolment (lost first-start credentials,
                                              lost authenticator); also clears a lock-out
          verify-audit                        re-checks the audit hash chain; exit code 1 when broken
          reindex [--backfill]                rebuilds the query index from the change feed, the studies' manifests and
                                              the stored headers (after losing or dropping the index); exit code 1 when
                                              a stored header could not be read. --backfill first gives the studies
                                              stored before the change feed existed (or after it was lost) their events
          export-config                       the effective Mirc configuration as JSON (secrets masked), no silo needed
          backup <folder>                     online backup of the embedded data folder (the silo may run) into a new folder
          verify-backup <folder>              checks every file of a backup against its catalog; exit code 1 when damaged
          restore <folder>                    restores a backup into the configured, empty data folder (silo stopped),
                                              verifying the backup first and the audit chain after
        roles: Radiologist, Physician, Technician, EstablishmentAdmin, PlatformAdmin, DataProtectionOfficer, ResearchManager
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs one command; returns the process exit code (0 success, 1 failure, 2 usage).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var command = AdminArguments.Parse(args);
        if (command is null)
        {
            await output.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. command.Settings])
            .Build();
        try
        {
            switch (command.Verb)
            {
                case "export-config":
                    await output.WriteLineAsync(ConfigurationExport.ToJson(configuration.GetSection("Mirc")).ToJsonString(Indented));
                    return 0;
                case "backup" or "verify-backup" or "restore":
                    return await DataFolderCommands.RunAsync(configuration, command, output, error, cancellationToken);
                case "status" or "create-account" or "reset-account" or "verify-audit" or "reindex":
                    return await WithClusterAsync(configuration, command, output, error, cancellationToken);
                default:
                    await error.WriteLineAsync($"unknown admin command '{command.Verb}'\n{Usage}");
                    return 2;
            }
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"{ex.Message}\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> WithClusterAsync(IConfiguration configuration, AdminArguments command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var host = configuration.GetSection(MircHostOptions.Section).Get<MircHostOptions>() ?? new MircHostOptions();
        var cluster = configuration.GetSection(MircClusterOptions.Section).Get<MircClusterOptions>() ?? new MircClusterOptions();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            if (cluster.Mode == ClusterMode.AzureStorage)
            {
                // The gateways are listed in the membership table, in the storage account's table service.
                var tables = ClusterTableClient.Create(configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>() ?? new BlobStorageOptions());
                client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
                client.UseAzureStorageClustering(o => o.TableServiceClient = tables);
            }
            else
            {
                client.UseLocalhostClustering(host.GatewayPort, host.ServiceId, host.ClusterId);
            }
        });
        using var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"Cannot reach the cluster ({cluster.Mode switch
            {
                ClusterMode.AzureStorage => "membership table of the storage account, Mirc:Storage:ConnectionString or AccountUri",
                _ => $"gateway 127.0.0.1:{host.GatewayPort}, Mirc:GatewayPort",
            }}): {ex.Message}\n"
                + "Is the silo running? Pass the settings it runs with, e.g. --Mirc:GatewayPort=30000.");
            return 1;
        }

        try
        {
            var grains = app.Services.GetRequiredService<IClusterClient>();
            return command.Verb switch
            {
                "status" => await StatusAsync(grains, output),
                "create-account" => await CreateAccountAsync(grains, command, output, error),
                "reset-account" => await ResetAccountAsync(grains, command, output, error),
                "reindex" => await ReindexAsync(grains, command.Flag("backfill"), output, cancellationToken),
                _ => await VerifyAuditAsync(grains, output),
            };
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<int> StatusAsync(IClusterClient grains, TextWriter output)
    {
        var silos = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        await output.WriteLineAsync($"{silos.Length} silo(s)");
        foreach (var silo in silos.OrderBy(s => s.StartTime))
        {
            await output.WriteLineAsync($"  {silo.SiloAddress.Endpoint,-22} {silo.Status,-10} {silo.SiloName}  started {silo.StartTime:u}");
        }

        if (silos.Any(s => s.Status == SiloStatus.Active))
        {
            await output.WriteLineAsync("change-feed follower (projection at sequence of head):");
            foreach (var line in await grains.GetGrain<IOperatorGrain>(0).ChangeFeedFollowerStatusAsync())
            {
                await output.WriteLineAsync("  " + line);
            }
        }

        return silos.Any(s => s.Status == SiloStatus.Active) ? 0 : 1;
    }

    private static async Task<int> CreateAccountAsync(IClusterClient grains, AdminArguments command, TextWriter output, TextWriter error)
    {
        var username = command.Username();
        var establishment = command.Option("establishment") ?? throw new ArgumentException("create-account needs --establishment <id>");
        var roles = MircRoleNames.Parse((command.Option("roles") ?? throw new ArgumentException("create-account needs --roles <Role,Role>"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var password = OneTimePassword.Generate();
        try
        {
            var enrolment = await grains.GetGrain<ILocalAccountGrain>(username).CreateAsync(new LocalAccountProfile
            {
                Username = username,
                EstablishmentId = establishment,
                Roles = roles,
                DisplayName = command.Option("name"),
            }, password, mustChangePassword: true);
            await PrintCredentialsAsync(output, username, password, enrolment, "created");
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync($"{ex.Message} Use reset-account {username} to re-issue its credentials.");
            return 1;
        }
    }

    private static async Task<int> ResetAccountAsync(IClusterClient grains, AdminArguments command, TextWriter output, TextWriter error)
    {
        var username = command.Username();
        var password = OneTimePassword.Generate();
        try
        {
            var enrolment = await grains.GetGrain<ILocalAccountGrain>(username).ResetCredentialsAsync(OperatorGrain.Operator, password);
            await PrintCredentialsAsync(output, username, password, enrolment, "reset");
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync($"{ex.Message} Use create-account to create it.");
            return 1;
        }
    }

    private static async Task<int> VerifyAuditAsync(IClusterClient grains, TextWriter output)
    {
        var result = await grains.GetGrain<IOperatorGrain>(0).VerifyAuditAsync();
        await output.WriteLineAsync(JsonSerializer.Serialize(result, Indented));
        return result.IsIntact ? 0 : 1;
    }

    private static async Task<int> ReindexAsync(IClusterClient grains, bool backfill, TextWriter output, CancellationToken cancellationToken)
    {
        // Steps of a bounded number of studies: each grain call stays far below the response timeout, and progress shows.
        const int StudiesPerStep = 200;
        var operatorGrain = grains.GetGrain<IOperatorGrain>(0);
        if (backfill)
        {
            var report = await operatorGrain.BackfillChangeFeedAsync();
            await output.WriteLineAsync(FormattableString.Invariant(
                $"change feed backfilled: {report.StudiesAppended} of {report.StudiesScanned} stored studies were not in it ({report.EventsAppended} Create events appended)"));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var (studies, removed, instances, unreadable, cursor) = (0L, 0L, 0L, 0L, 0L);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = await operatorGrain.ReindexAsync(cursor, StudiesPerStep);
            (studies, removed, instances, unreadable, cursor) = (studies + step.StudiesIndexed, removed + step.StudiesRemoved, instances + step.Instances, unreadable + step.Unreadable, step.NextCursor);
            if (step.Done)
            {
                break;
            }

            await output.WriteLineAsync(FormattableString.Invariant($"  {studies} studies, {instances} instances so far"));
        }

        var seconds = Math.Max(started.Elapsed.TotalSeconds, 0.001);
        await output.WriteLineAsync(FormattableString.Invariant(
            $"reindexed {studies} studies ({instances} instances, {removed} deleted or empty studies removed) in {seconds:0.0} s: {studies / seconds:0} studies/s"));
        if (unreadable > 0)
        {
            await output.WriteLineAsync(FormattableString.Invariant($"{unreadable} stored instance header(s) could not be read: see the silo's log"));
            return 1;
        }

        return 0;
    }

    private static Task PrintCredentialsAsync(TextWriter output, string username, string password, TotpEnrolment enrolment, string what) =>
        output.WriteLineAsync($"""
            account {username} {what} (shown once, not logged)
              one-time password:   {password}
              TOTP enrolment URI:  {enrolment.OtpAuthUri}
            First login: POST /api/auth/token with username, password, totp and new_password.
            """);
}
