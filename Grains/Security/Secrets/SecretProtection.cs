using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Secrets at rest (signing keys, TOTP secrets) are encrypted with ASP.NET Core Data Protection. Its keys live in
/// <c>&lt;DataPath&gt;/security/data-protection</c> (0700 folder, 0600 files) in the embedded default, or in the
/// archive's blob store when blobs are in Azure (every silo of the cluster reads the same key ring). There they are
/// wrapped with an RSA certificate from Azure Key Vault (or a local file), with Data Protection's own
/// <c>ProtectKeysWithCertificate</c>: see <see cref="KeyProtectionOptions"/>.
/// </summary>
public static class SecretProtection
{
    /// <summary>Purpose string of the signing keys.</summary>
    public const string SigningKeysPurpose = "Mirc.SigningKeys.v1";

    /// <summary>Purpose string of the TOTP secrets.</summary>
    public const string TotpSecretsPurpose = "Mirc.TotpSecrets.v1";

    /// <summary>Where the embedded default keeps the Data Protection keys.</summary>
    public static string KeyDirectory(IConfiguration configuration) =>
        Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "security", "data-protection");

    /// <summary>
    /// Registers Data Protection with the archive's key repository and, when <c>Mirc:DataProtection</c> names one, the
    /// certificate that wraps its keys — read now, at start-up, so a vault or file that cannot be read stops the host
    /// with the setting named. <paramref name="certificates"/> replaces the source the settings name (tests). Idempotent.
    /// </summary>
    public static IServiceCollection AddMircDataProtection(this IServiceCollection services, IConfiguration configuration,
        IKeyProtectionCertificateSource? certificates = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(DataProtectionMarker))) return services;
        services.AddSingleton<DataProtectionMarker>();
        var builder = services.AddDataProtection().SetApplicationName("Mirc");
        var storage = configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>();
        var shared = storage?.Provider == BlobStorageProvider.Azure;
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = shared && sp.GetService<IBlobStore>() is { } blobs
                ? new BlobXmlRepository(blobs, sp.GetRequiredService<InstanceBlobLayout>())
                : new PrivateDirectoryXmlRepository(KeyDirectory(configuration));
        }));

        var protection = configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        if (certificates is null)
        {
            if (protection.Problem(shared) is { } problem) throw new InvalidOperationException(problem);
            certificates = protection.KeyVaultUri is { } vault ? new KeyVaultCertificateSource(vault, protection.CertificateName!)
                : !string.IsNullOrWhiteSpace(protection.CertificatePath) ? new FileCertificateSource(protection)
                : null;
        }

        if (certificates is not null)
        {
            var all = certificates.Load();
            if (all.Count == 0) throw new InvalidOperationException($"{certificates.Location}: no certificate to wrap the Data Protection keys");
            // Data Protection's own XML encryption: the first certificate wraps new keys, every one unwraps.
            builder.ProtectKeysWithCertificate(all[0]);
            builder.UnprotectKeysWithAnyCertificate([.. all]);
            services.AddSingleton(new KeyProtectionCertificates(certificates.Location, all));
        }

        return services;
    }

    private sealed class DataProtectionMarker;
}

/// <summary>The certificates wrapping the Data Protection keys, as loaded at start-up (for the start-up log and tests).</summary>
/// <param name="Location">Where they were read.</param>
/// <param name="Certificates">The wrapping one first.</param>
public sealed record KeyProtectionCertificates(string Location, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> Certificates);
