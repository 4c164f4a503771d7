using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb;
using Mirc.Api.Hosting;
using Mirc.Api.Management.Shares;
using Mirc.Grains.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Reminders;
using Mirc.Grains.Sharing;
using Xunit;

namespace Mirc.Api.Tests.Shares;

/// <summary>
/// A small host for the share tests: one silo with the archive, the DICOMweb routes (to store studies), the share
/// routes and the share runner with its reminders, an access policy that denies the studies a test marks, and an audit trail that
/// keeps events in memory. Built here because the share routes are not composed into the silo's Program yet.
/// </summary>
internal sealed class ShareTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;

    private ShareTestHost(WebApplication app, string dataPath, bool ownsData, SelectiveAccessPolicy access, RecordingAuditTrail audit)
    {
        _ownsData = ownsData;
        _app = app;
        DataPath = dataPath;
        Access = access;
        Audit = audit;
        Http = app.GetTestClient();
    }

    public HttpClient Http { get; }

    public string DataPath { get; }

    public SelectiveAccessPolicy Access { get; }

    public RecordingAuditTrail Audit { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts a host; with <paramref name="dataPath"/> it reuses that folder (a restart) and leaves it in place on dispose.</summary>
    public static async Task<ShareTestHost> StartAsync(string? dataPath = null, string callingAe = "MIRC_TEST",
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var ownsData = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("mirc-share-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mirc:DataPath"] = dataPath,
            ["Mirc:Dicom:AeTitle"] = callingAe,
            ["Mirc:Sharing:ProgressEvery"] = "2",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "share-tests", clusterId: "share-tests-" + siloPort);
            silo.AddMircArchive(builder.Configuration);
            silo.UseArchiveReminderTable(); // durable: a share's retry reminder survives a restart on the same data
        });
        builder.Services.AddMircSharing(builder.Configuration);
        builder.Services.AddMircApi(builder.Configuration);
        var access = new SelectiveAccessPolicy();
        var audit = new RecordingAuditTrail();
        builder.Services.AddSingleton<IDicomWebAccessPolicy>(access);
        builder.Services.AddSingleton<IAuditTrail>(audit);

        var app = builder.Build();
        app.MapGroup(DicomWebUrls.Prefix).MapDicomWeb();
        app.MapGroup("/api").MapShares();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ShareTestHost(app, dataPath, ownsData, access, audit);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (!_ownsData) return;
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static int FreePort() => Mirc.Testing.LoopbackPorts.Next();
}
