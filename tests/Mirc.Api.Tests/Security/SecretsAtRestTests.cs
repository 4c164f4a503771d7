using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Mirc.Api.Authentication;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>
/// Signing keys and TOTP secrets are encrypted with Data Protection (keys in a 0700 folder of 0600 files under the data
/// folder); clear-text signing keys are encrypted at the next load keeping their key ids; first-start credentials go
/// to a 0600 file, not to the console.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretsAtRestTests(SecretsAtRestTests.HostFixture fixture) : IClassFixture<SecretsAtRestTests.HostFixture>
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly ApiHost _host = fixture.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One started host for the class.</summary>
    public sealed class HostFixture : IAsyncLifetime
    {
        public ApiHost Host { get; } = new();

        public ValueTask InitializeAsync()
        {
            _ = Host.Server;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    [Fact]
    public void Data_protection_keys_are_private_files_under_the_data_folder()
    {
        var folder = Path.Combine(_host.DataPath, "security", "data-protection");
        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        var keys = Directory.GetFiles(folder, "*.xml");
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(k)));
    }

    [Fact]
    public async Task Signing_keys_are_stored_encrypted_and_clear_ones_are_migrated_keeping_their_tokens_valid()
    {
        var ring = _host.Services.GetRequiredService<SigningKeyRing>();
        var blobs = _host.Services.GetRequiredService<IBlobStore>();
        var key = new BlobKey(_host.Services.GetRequiredService<InstanceBlobLayout>().GrainStateContainer, "security/signing-keys.json");
        Assert.DoesNotContain(ClearKey(ring), await ReadKeyFileAsync());
        Assert.Contains("\"protected\"", await ReadKeyFileAsync(), StringComparison.Ordinal);

        // A key file as written before encryption existed.
        using var legacy = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var legacyPkcs8 = Convert.ToBase64String(legacy.ExportPkcs8PrivateKey());
        await blobs.RewriteAsync(key, Encoding.UTF8.GetBytes(
            $$"""{"keys":[{"kid":"legacy00000001","created":"{{DateTimeOffset.UtcNow:O}}","pkcs8":"{{legacyPkcs8}}"}]}"""), Ct);

        await ring.LoadAsync(Ct);
        Assert.Equal("legacy00000001", ring.ActiveKeyId);
        var stored = await ReadKeyFileAsync();
        Assert.DoesNotContain(legacyPkcs8, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("pkcs8", stored, StringComparison.Ordinal);

        // A token signed by the migrated key stays valid after a rotation.
        var token = _host.MintToken(ApiHost.DefaultPrincipal);
        await ring.RotateAsync(Ct);
        Assert.NotEqual("legacy00000001", ring.ActiveKeyId);
        using var client = _host.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(ClearKey(ring), await ReadKeyFileAsync());

        async Task<string> ReadKeyFileAsync() => Encoding.UTF8.GetString((await blobs.TryReadAllAsync(key, Ct))!.Content.Span);
    }

    [Fact]
    public async Task Totp_secrets_are_nowhere_in_clear_in_the_data_folder_and_logins_still_work()
    {
        var account = _host.Grains.GetGrain<ILocalAccountGrain>("secret-keeper");
        var enrolment = await account.CreateAsync(new LocalAccountProfile
        {
            Username = "secret-keeper", EstablishmentId = ApiHost.DefaultEstablishmentId, Roles = MircRoles.Radiologist,
        }, "Quiet-Harbour-Lantern-77", mustChangePassword: false);
        await _host.Services.GetRequiredService<IBlobStore>().FlushAsync(Ct);

        var secret = Encoding.ASCII.GetBytes(enrolment.SecretBase32);
        foreach (var file in Directory.EnumerateFiles(_host.DataPath, "*", SearchOption.AllDirectories))
        {
            // The seeded accounts' handover file; and the audit writer's files in flight (the account's state is written).
            if (file.EndsWith("first-start-credentials.txt", StringComparison.Ordinal) || Path.GetFileName(file).StartsWith(".tmp-", StringComparison.Ordinal)) continue;
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(file, Ct);
            }
            catch (FileNotFoundException)
            {
                continue; // moved meanwhile: its final name is scanned
            }

            Assert.True(content.AsSpan().IndexOf(secret) < 0, $"TOTP secret in clear in {file}");
        }

        var code = Totp.Compute(Base32.Decode(enrolment.SecretBase32), Totp.StepAt(DateTimeOffset.UtcNow));
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(new LoginAttempt { Password = "Quiet-Harbour-Lantern-77", TotpCode = code })).Status);
    }

    [Fact]
    public void Seeded_accounts_one_time_credentials_are_in_a_file_only_the_service_user_reads()
    {
        var path = Path.Combine(_host.DataPath, "security", "first-start-credentials.txt");
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        var text = File.ReadAllText(path);
        Assert.Contains("username:            radiologue", text, StringComparison.Ordinal);
        Assert.Contains("otpauth://totp/", text, StringComparison.Ordinal);
    }

    private static string ClearKey(SigningKeyRing ring) =>
        Convert.ToBase64String(((ECDsaSecurityKey)ring.SigningCredentials.Key).ECDsa.ExportPkcs8PrivateKey());
}
