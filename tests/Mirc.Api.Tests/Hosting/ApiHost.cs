using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.Authentication;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Tests.Hosting;

/// <summary>
/// The real silo host (Orleans + HTTP surface) on a temporary data folder and free ports, so test classes can run
/// their own hosts side by side. Disposing removes the data folder.
/// Security is on as in production (bearer tokens required, the secure access policy): <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/>
/// returns a client authenticated as <see cref="DefaultPrincipal"/> (clinical staff of <see cref="DefaultEstablishmentId"/>);
/// <see cref="CreateClient(ProfessionalPrincipal)"/> and <see cref="CreateAnonymousClient"/> give other identities.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    /// <summary>The establishment of <see cref="DefaultPrincipal"/> (the demo establishment seeded by appsettings.json).</summary>
    public const string DefaultEstablishmentId = "750000001";

    private readonly Dictionary<string, string> _settings;
    private readonly bool _openAccess;

    /// <summary>Creates a host; <paramref name="settings"/> are extra configuration values.</summary>
    /// <param name="settings">Extra configuration.</param>
    /// <param name="realHttp">Listen on a real loopback port (for out-of-process clients) instead of the in-memory test server.</param>
    /// <param name="openAccess">
    /// Turn security off (no token required, archive-wide visibility): only for out-of-process clients that cannot
    /// send a bearer token.
    /// </param>
    public ApiHost(IReadOnlyDictionary<string, string>? settings = null, bool realHttp = false, bool openAccess = false)
    {
        _openAccess = openAccess;
        DataPath = Directory.CreateTempSubdirectory("mirc-api-").FullName;
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Mirc:DataPath"] = DataPath,
            ["Mirc:SiloPort"] = FreePort().ToString(),
            ["Mirc:GatewayPort"] = FreePort().ToString(),
            ["Mirc:Auth:BootstrapAdministrator"] = "false",
        };
        _settings.TryAdd("Mirc:Dicom:Port", FreePort().ToString());
        DicomPort = int.Parse(_settings["Mirc:Dicom:Port"], System.Globalization.CultureInfo.InvariantCulture);
        _settings.TryAdd("Mirc:Api:RequireAuthorization", openAccess ? "false" : "true");
        if (realHttp)
        {
            BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
            _settings["Mirc:HttpUrl"] = BaseAddress.ToString().TrimEnd('/');
            UseKestrel();
        }
    }

    /// <summary>The real listening address when created with <c>realHttp</c>, else null.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>The temporary data folder.</summary>
    public string DataPath { get; }

    /// <summary>Port of the host's Orleans gateway (where the <c>admin</c> commands connect).</summary>
    public int GatewayPort => int.Parse(_settings["Mirc:GatewayPort"], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Port of the host's DICOM listener (called AE <c>MIRC</c>, on 127.0.0.1).</summary>
    public int DicomPort { get; }

    /// <summary>Identity of the clients <c>CreateClient()</c> returns: radiologist and technician of <see cref="DefaultEstablishmentId"/>.</summary>
    public static ProfessionalPrincipal DefaultPrincipal { get; } = Professional(DefaultEstablishmentId, MircRoles.Radiologist | MircRoles.Technician, "10000000042");

    /// <summary>The grain factory of the running host (accounts, consent, care relationships).</summary>
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>A principal for tests.</summary>
    public static ProfessionalPrincipal Professional(string establishmentId, MircRoles roles, string? rpps = null) => new()
    {
        Subject = "test-" + (rpps ?? Guid.NewGuid().ToString("N")[..12]),
        Rpps = rpps,
        EstablishmentId = establishmentId,
        Roles = roles,
        DisplayName = "Test " + roles,
        AuthenticationMethod = "local-password+totp",
    };

    /// <summary>
    /// A bearer token for <paramref name="principal"/>, signed with the host's key ring exactly as the token endpoint
    /// signs them (the login itself is covered by the token endpoint tests).
    /// </summary>
    public string MintToken(ProfessionalPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Services.GetRequiredService<LocalTokenIssuer>().Issue(principal).Token;
    }

    /// <summary>A client authenticated as <paramref name="principal"/>.</summary>
    public HttpClient CreateClient(ProfessionalPrincipal principal)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MintToken(principal));
        return client;
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateDefaultClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>Number of files under the data folder's blob area (to prove nothing was stored).</summary>
    public int CountStoredInstances() =>
        Directory.Exists(DataPath) ? Directory.EnumerateFiles(DataPath, "*.dcm", SearchOption.AllDirectories).Count() : 0;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_openAccess)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<IDicomWebAccessPolicy, ArchiveWideAccessPolicy>());
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (!_openAccess)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MintToken(DefaultPrincipal));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
            // Host teardown only: the DIMSE listener may be disposed twice (stopped, then disposed) by the host.
            // Nothing the API tests verify depends on it.
        }
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort() => Mirc.Testing.LoopbackPorts.Next();
}
