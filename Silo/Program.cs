using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Mirc.Api.Hosting;
using Mirc.Api.Transport;
using Mirc.Grains.Dimse;
using Mirc.Grains.Hosting;
using Mirc.Grains.Security.Secrets;
using Mirc.Grains.Sharing;
using Mirc.Grains.Storage.Backup;
using Mirc.Grains.Storage.Blobs;
using Mirc.Silo.Admin;
using Mirc.Silo.Seeding;
using Mirc.Silo.Health;
using Mirc.Silo.Hosting;
using Orleans.Dashboard;

// Operator commands (mirc-admin): `dotnet Mirc.Silo.dll admin <command>` acts on the running cluster, then exits.
if (args is ["admin", .. var adminArgs])
{
    return await AdminCommand.RunAsync(adminArgs, Console.Out, Console.Error);
}

// No configuration reload: its file watcher covers the content root recursively, and the data folder usually lies
// below it (./data), so every stored instance would raise file-system events the host then has to read and filter.
// Content root = the application folder unless given explicitly, so `dotnet /path/Mirc.Silo.dll` started from any
// folder (service managers, bench scripts) still reads its appsettings.json.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
    ContentRootPath = SiloContentRoot.Resolve(args),
});
builder.Configuration.AddLogLevelDefaults();
// The demo seed (appsettings.demo.json) exists in the build output only, never in a published image.
builder.Configuration.AddDemoSettings();
// A configuration error found while composing the host (before the start-up check below) also ends in one message.
AppDomain.CurrentDomain.UnhandledException += (_, e) => StartupFailure.ExitIfConfigurationError(e.ExceptionObject, builder.Configuration);

builder.Services.AddOptions<MircHostOptions>()
    .Bind(builder.Configuration.GetSection(MircHostOptions.Section))
    .ValidateDataAnnotations()
    .Validate(o => Uri.TryCreate(o.HttpUrl, UriKind.Absolute, out _), "Mirc:HttpUrl must be an absolute URL such as http://127.0.0.1:8080")
    .ValidateOnStart();

builder.Services.AddOptions<MircClusterOptions>()
    .Bind(builder.Configuration.GetSection(MircClusterOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();

var host = builder.Configuration.GetSection(MircHostOptions.Section).Get<MircHostOptions>() ?? new MircHostOptions();
var cluster = builder.Configuration.GetSection(MircClusterOptions.Section).Get<MircClusterOptions>() ?? new MircClusterOptions();
builder.WebHost.UseUrls(host.HttpUrl);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = host.ShutdownTimeout);
// Plain HTTP only on loopback or behind a declared TLS proxy; anything else needs HTTPS with a certificate (every
// Kestrel endpoint is checked; start-up fails otherwise).
builder.AddMircHttpTransport(host.HttpUrl);

builder.UseOrleans(silo =>
{
    silo.UseMircClustering(host, cluster, builder.Configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>() ?? new BlobStorageOptions());
    silo.AddMircArchive(builder.Configuration);
    silo.AddMircActivationCollection(builder.Configuration);
    silo.AddDashboard();
});

// After UseOrleans: hosted services start after the silo is active and stop before it.
builder.Services.AddMircAuthentication(builder.Configuration);
builder.Services.AddMircDicomListener(builder.Configuration);
builder.Services.AddMircSharing(builder.Configuration);
builder.Services.AddMircBackupSnapshots(builder.Configuration);
if (DataFolderLayout.IsEmbedded(builder.Configuration))
{
    // Before anything writes into it: a data folder the silo creates is readable by its own user only.
    OwnerOnlyFolder.Create(DataFolderLayout.From(builder.Configuration).DataPath);
}

builder.Services.AddOptions<RegionSeedOptions>().Bind(builder.Configuration.GetSection(RegionSeedOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<RegionSeedOptions>, RegionSeedValidation>();
builder.Services.AddHostedService<RegionSeeder>();
builder.Services.AddHostedService<LocalAccountSeeder>();

builder.Services.AddMircApi(builder.Configuration);
builder.Services.AddDashboardAccess(builder.Configuration);
builder.Services.AddHostedService<RelaxedSecurityWarnings>();

builder.AddMircTelemetry();

builder.Services.AddHealthChecks()
    .AddCheck<SiloActiveHealthCheck>("silo", tags: ["ready"])
    .AddCheck<MembershipHealthCheck>("membership", tags: ["ready"])
    .AddCheck<DataFolderHealthCheck>("data-folder", tags: ["ready"]);

var app = builder.Build();
app.UseMircHttpTransport();

app.UseMircMetricsEndpoint();
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
// The dashboard shows grain state: platform administrators only. Health, /docs and /openapi stay public.
app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(DashboardAccess.Policy);
app.MapMircAuthentication();
app.MapMircAuditEndpoints();
app.MapMircPatientSecurityEndpoints();
app.MapMircApi();

// A port in use or an invalid setting: one message naming the setting, no stack trace (exit code 2). Checked before
// starting (a failed start logs stack traces from every component it stops), and again if start-up loses a race.
if (StartupFailure.Check(app.Services, builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}

try
{
    await app.RunAsync();
}
catch (Exception ex) when (StartupFailure.IsConfigurationError(ex))
{
    await app.DisposeAsync();
    Console.Error.WriteLine(StartupFailure.Describe(ex, builder.Configuration));
    return 2;
}

return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
