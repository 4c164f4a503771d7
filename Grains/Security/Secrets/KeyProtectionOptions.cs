namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// How the Data Protection keys (which encrypt signing keys and TOTP secrets) are themselves protected at rest (section
/// <c>Mirc:DataProtection</c>): wrapped with an RSA certificate that lives in Azure Key Vault (<see cref="KeyVaultUri"/> +
/// <see cref="CertificateName"/>, read with the silo's managed identity), or in a local file (<see cref="CertificatePath"/>).
/// Without either, keys are protected by file modes only — refused when they are in shared blob storage (cluster mode)
/// unless <see cref="AllowUnprotectedKeys"/>.
/// </summary>
public sealed class KeyProtectionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:DataProtection";

    /// <summary>Key Vault holding the wrapping certificate (https://name.vault.azure.net/).</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Name of the certificate in <see cref="KeyVaultUri"/>: its newest enabled version wraps new keys, every enabled version unwraps.</summary>
    public string? CertificateName { get; set; }

    /// <summary>A local wrapping certificate with its RSA private key (.pfx / .p12, or PEM with <see cref="KeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>; absent when it is in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Former local certificates, kept to unwrap keys written before a certificate rotation.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];

    /// <summary>Lets a cluster keep its keys in blob storage unwrapped (storage access is then their only protection). Default false.</summary>
    public bool AllowUnprotectedKeys { get; set; }

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem(bool keysInSharedStorage)
    {
        var vault = KeyVaultUri is not null || !string.IsNullOrWhiteSpace(CertificateName);
        if (vault && (KeyVaultUri is null || string.IsNullOrWhiteSpace(CertificateName)))
        {
            return $"{Section}:KeyVaultUri and {Section}:CertificateName go together (the vault and the name of the wrapping certificate in it)";
        }

        if (KeyVaultUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"{Section}:KeyVaultUri must be an https URI such as https://mirc-kv.vault.azure.net/";
        }

        if (vault && !string.IsNullOrWhiteSpace(CertificatePath))
        {
            return $"{Section}: set KeyVaultUri + CertificateName or CertificatePath, not both";
        }

        if (!vault && string.IsNullOrWhiteSpace(CertificatePath) && keysInSharedStorage && !AllowUnprotectedKeys)
        {
            return $"the Data Protection keys are in shared blob storage (Mirc:Storage:Provider=Azure) and nothing wraps them: set {Section}:KeyVaultUri "
                + $"and {Section}:CertificateName (or {Section}:CertificatePath), or {Section}:AllowUnprotectedKeys=true to rely on storage access alone";
        }

        return null;
    }
}
