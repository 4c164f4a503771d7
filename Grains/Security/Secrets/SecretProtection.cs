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
/// archive's blob store when blobs are in Azure (every silo must read them). Azure Key Vault wrapping of these keys
/// needs Azure.Extensions.AspNetCore.DataProtection.Keys, which this build cannot obtain: see the README.
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

    /// <summary>Registers Data Protection with the archive's key repository. Idempotent.</summary>
    public static IServiceCollection AddMircDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddDataProtection().SetApplicationName("Mirc");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            var storage = configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>();
            o.XmlRepository = storage?.Provider == BlobStorageProvider.Azure && sp.GetService<IBlobStore>() is { } blobs
                ? new BlobXmlRepository(blobs, sp.GetRequiredService<InstanceBlobLayout>())
                : new PrivateDirectoryXmlRepository(KeyDirectory(configuration));
        }));
        return services;
    }
}
