using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Wrapping certificates from Azure Key Vault, read with the silo's identity (DefaultAzureCredential: the managed
/// identity in Azure, which needs the "Key Vault Secrets User" role to download a certificate with its private key).
/// The newest enabled version of <see cref="KeyProtectionOptions.CertificateName"/> wraps new keys; the other enabled
/// versions unwrap keys written before a rotation in the vault — disable a version only once no key it wrapped remains.
/// </summary>
public sealed class KeyVaultCertificateSource(Uri vault, string name, TokenCredential? credential = null) : IKeyProtectionCertificateSource
{
    /// <inheritdoc />
    public string Location => $"{vault.GetLeftPart(UriPartial.Authority)}/certificates/{name}";

    /// <inheritdoc />
    public IReadOnlyList<X509Certificate2> Load()
    {
        var client = new CertificateClient(vault, credential ?? new DefaultAzureCredential());
        try
        {
            var versions = client.GetPropertiesOfCertificateVersions(name)
                .Where(v => v.Enabled != false)
                .OrderByDescending(v => v.CreatedOn)
                .ToList();
            if (versions.Count == 0) throw new InvalidOperationException($"{Location}: no enabled version ({KeyProtectionOptions.Section}:CertificateName)");
            return [.. versions.Select(v => KeyProtectionCertificate.RequireUsable(
                client.DownloadCertificate(new DownloadCertificateOptions(name) { Version = v.Version, KeyStorageFlags = X509KeyStorageFlags.EphemeralKeySet }).Value,
                $"{Location} version {v.Version}"))];
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException)
        {
            throw new InvalidOperationException($"{Location} could not be read ({KeyProtectionOptions.Section}:KeyVaultUri / CertificateName): {ex.Message}", ex);
        }
    }
}
