using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Security.Secrets;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Security;

/// <summary>
/// Cluster mode on Azurite: the silos share one Data Protection key ring in blob storage, wrapped with an RSA certificate
/// (the one Key Vault would hand out; here a local file): a TOTP secret protected by one host is read by the other,
/// the stored keys hold no clear key material, and a host without the certificate reads nothing. Without a wrapping
/// certificate, cluster mode refuses to start.
/// </summary>
public sealed class SharedKeyRingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string _prefix = "dp" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _folder = Directory.CreateTempSubdirectory("mirc-dp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Two_hosts_share_a_wrapped_key_ring_and_a_host_without_the_certificate_reads_nothing()
    {
        var certificate = WriteCertificate("wrap.pfx", "CN=Mirc Data Protection");
        using var a = Host(("Mirc:DataProtection:CertificatePath", certificate));
        using var b = Host(("Mirc:DataProtection:CertificatePath", certificate));

        var stored = a.GetRequiredService<TotpSecretProtector>().Protect("JBSWY3DPEHPK3PXP");
        Assert.Equal("JBSWY3DPEHPK3PXP", b.GetRequiredService<TotpSecretProtector>().Reveal(stored));

        var keys = await StoredKeysAsync();
        Assert.Single(keys);
        Assert.Contains("EncryptedData", keys[0], StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", keys[0], StringComparison.Ordinal); // the clear master key element

        // Storage access alone is not enough: the same key ring without the certificate cannot unwrap the key.
        using var stranger = Host(("Mirc:DataProtection:CertificatePath", WriteCertificate("other.pfx", "CN=Someone Else")));
        Assert.ThrowsAny<CryptographicException>(() => stranger.GetRequiredService<TotpSecretProtector>().Reveal(stored));
    }

    [Fact]
    public void A_rotated_wrapping_certificate_still_unwraps_keys_written_under_the_former_one()
    {
        var former = WriteCertificate("former.pfx", "CN=Mirc Data Protection 2026");
        string stored;
        using (var before = Host(("Mirc:DataProtection:CertificatePath", former)))
        {
            stored = before.GetRequiredService<TotpSecretProtector>().Protect("KRSXG5CTMVRXEZLU");
        }

        using var after = Host(("Mirc:DataProtection:CertificatePath", WriteCertificate("current.pfx", "CN=Mirc Data Protection 2027")),
            ("Mirc:DataProtection:PreviousCertificatePaths:0", former));
        Assert.Equal("KRSXG5CTMVRXEZLU", after.GetRequiredService<TotpSecretProtector>().Reveal(stored));
        Assert.Equal("CN=Mirc Data Protection 2027", after.GetRequiredService<KeyProtectionCertificates>().Certificates[0].Subject);
    }

    [Fact]
    public void Cluster_mode_without_a_wrapping_certificate_does_not_start_unless_explicitly_allowed()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Host());
        Assert.Contains("Mirc:DataProtection:KeyVaultUri", refused.Message, StringComparison.Ordinal);

        var halfVault = Assert.Throws<InvalidOperationException>(() => Host(("Mirc:DataProtection:KeyVaultUri", "https://mirc-kv.vault.azure.net/")));
        Assert.Contains("CertificateName", halfVault.Message, StringComparison.Ordinal);

        var ecdsa = Assert.Throws<InvalidOperationException>(() => Host(("Mirc:DataProtection:CertificatePath", WriteCertificate("ec.pfx", "CN=EC", rsa: false))));
        Assert.Contains("not an RSA certificate", ecdsa.Message, StringComparison.Ordinal);

        using var allowed = Host(("Mirc:DataProtection:AllowUnprotectedKeys", "true"));
        var protector = allowed.GetRequiredService<TotpSecretProtector>();
        Assert.Equal("MZXW6YTBOI", protector.Reveal(protector.Protect("MZXW6YTBOI")));
    }

    [Fact]
    public void A_source_standing_for_key_vault_wraps_the_ring_and_another_host_unwraps_with_the_same_certificate()
    {
        // Key Vault cannot run here: a source standing for it hands out the certificate the vault would.
        var path = WriteCertificate("vault.pfx", "CN=From The Vault");
        var vault = new StubVault(X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet));
        using var a = Host(vault, ("Mirc:DataProtection:KeyVaultUri", "https://mirc-kv.vault.azure.net/"), ("Mirc:DataProtection:CertificateName", "mirc-dp"));
        using var b = Host(("Mirc:DataProtection:CertificatePath", path));
        Assert.Equal(1, vault.Loads);
        Assert.Equal("SECRETSECRET", b.GetRequiredService<TotpSecretProtector>().Reveal(a.GetRequiredService<TotpSecretProtector>().Protect("SECRETSECRET")));

        var source = new KeyVaultCertificateSource(new Uri("https://mirc-kv.vault.azure.net/"), "mirc-dp");
        Assert.Equal("https://mirc-kv.vault.azure.net/certificates/mirc-dp", source.Location);
    }

    private ServiceProvider Host(params (string Key, string Value)[] settings) => Host(null, settings);

    private ServiceProvider Host(IKeyProtectionCertificateSource? source, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mirc:DataPath"] = _folder,
            ["Mirc:Storage:Provider"] = "Azure",
            ["Mirc:Storage:ConnectionString"] = azurite.ConnectionString,
            ["Mirc:Storage:ContainerPrefix"] = _prefix,
            ["Mirc:Storage:ShardCount"] = "1",
        }.Concat(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddBlobStore(configuration);
        services.AddMircDataProtection(configuration, source);
        services.AddSingleton<TotpSecretProtector>();
        return services.BuildServiceProvider();
    }

    private async Task<List<string>> StoredKeysAsync()
    {
        var container = azurite.CreateServiceClient().GetBlobContainerClient($"{_prefix}-grainstate");
        var keys = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None,
            "security/data-protection/", TestContext.Current.CancellationToken))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync(TestContext.Current.CancellationToken);
            keys.Add(Encoding.UTF8.GetString(content.Value.Content.ToArray()));
        }

        return keys;
    }

    private string WriteCertificate(string name, string subject, bool rsa = true)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = rsa
            ? new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }

    private sealed class StubVault(X509Certificate2 certificate) : IKeyProtectionCertificateSource
    {
        public int Loads { get; private set; }

        public string Location => "https://mirc-kv.vault.azure.net/certificates/mirc-dp";

        public IReadOnlyList<X509Certificate2> Load()
        {
            Loads++;
            return [certificate];
        }
    }
}
