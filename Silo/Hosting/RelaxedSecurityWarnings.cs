using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.Authentication;
using Mirc.Api.Hosting;
using Mirc.Grains.Dimse;
using Mirc.Grains.Security.Secrets;
using Mirc.Grains.Storage.Backup;

namespace Mirc.Silo.Hosting;

/// <summary>
/// Every security setting's safe value is its code default; configuration may relax one only explicitly, and then the
/// silo says so once at start-up (one warning per relaxed setting) so an operator cannot miss it in the log.
/// </summary>
public sealed partial class RelaxedSecurityWarnings(
    IOptions<MircApiOptions> api,
    IOptions<MircAuthOptions> auth,
    IOptions<DicomListenerOptions> dicom,
    IOptions<DicomTlsOptions> dicomTls,
    IConfiguration configuration,
    IDicomWebAccessPolicy accessPolicy,
    ILogger<RelaxedSecurityWarnings> logger) : IHostedService
{
    /// <summary>The relaxed settings, each with why it matters.</summary>
    public IReadOnlyList<string> Relaxed()
    {
        var relaxed = new List<string>();
        if (!api.Value.RequireAuthorization)
            relaxed.Add("Mirc:Api:RequireAuthorization=false: DICOMweb and WADO-URI accept anonymous requests (the access policy still decides what they see)");
        if (accessPolicy is ArchiveWideAccessPolicy)
            relaxed.Add("anonymous archive-wide access policy registered: every caller sees every study");
        if (api.Value.Cors.AllowedOrigins.Contains("*"))
            relaxed.Add("Mirc:Api:Cors:AllowedOrigins contains '*': any web origin may call the API from a browser");
        if ((configuration.GetSection(DashboardAccessOptions.Section).Get<DashboardAccessOptions>() ?? new()).AllowAnonymousLoopback)
            relaxed.Add("Mirc:Dashboard:AllowAnonymousLoopback=true: the Orleans dashboard (grain state) opens without a token from this machine");
        if (!auth.Value.RequireHttpsMetadata)
            relaxed.Add("Mirc:Auth:RequireHttpsMetadata=false: the identity provider's keys may be fetched over plain HTTP");
        if (dicom.Value.AcceptAnyCalledAe)
            relaxed.Add("Mirc:Dicom:AcceptAnyCalledAe=true: associations addressed to any called AE title are accepted");
        if (!dicomTls.Value.RequireForRemotePeers)
            relaxed.Add("Mirc:Dicom:Tls:RequireForRemotePeers=false: remote devices may associate over plain DICOM (unencrypted, no certificate): only behind a VPN or private link");
        if (SharedDataFolder() is { } shared)
            relaxed.Add(shared);
        return relaxed;
    }

    /// <summary>
    /// The embedded data folder (every DICOM file, the index, the audit trail) when its mode lets other local accounts in:
    /// the silo creates it owner-only, but one it finds keeps the mode it has (made by an older version, or shared with
    /// a backup account on purpose) — said, not changed.
    /// </summary>
    private string? SharedDataFolder()
    {
        if (!DataFolderLayout.IsEmbedded(configuration))
            return null;
        var path = DataFolderLayout.From(configuration).DataPath;
        const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return Directory.Exists(path) && OwnerOnlyFolder.OpenToOthers(path, GroupOrOther) is { } mode
            ? $"data folder {path} has mode {mode}: other local accounts may read its patient data (chmod 700 it unless shared on purpose)"
            : null;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in Relaxed()) LogRelaxed(logger, setting);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security relaxed by configuration: {Setting}")]
    private static partial void LogRelaxed(ILogger logger, string setting);
}
