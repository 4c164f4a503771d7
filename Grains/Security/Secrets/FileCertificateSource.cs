using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirc.Grains.Security.Secrets;

/// <summary>Wrapping certificates from local files (<c>Mirc:DataProtection:CertificatePath</c> and <c>PreviousCertificatePaths</c>).</summary>
public sealed class FileCertificateSource(KeyProtectionOptions options) : IKeyProtectionCertificateSource
{
    /// <inheritdoc />
    public string Location => options.CertificatePath ?? "";

    /// <inheritdoc />
    public IReadOnlyList<X509Certificate2> Load()
    {
        var current = Read(options.CertificatePath!, options.KeyPath, "CertificatePath");
        return [current, .. options.PreviousCertificatePaths.Select(p => Read(p, null, "PreviousCertificatePaths"))];
    }

    private X509Certificate2 Read(string path, string? keyPath, string setting)
    {
        var name = $"{KeyProtectionOptions.Section}:{setting} '{path}'";
        if (!File.Exists(path)) throw new InvalidOperationException($"{name}: file not found");
        X509Certificate2 certificate;
        try
        {
            certificate = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet)
                : string.IsNullOrEmpty(options.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{name} is unreadable: {ex.Message}", ex);
        }

        return KeyProtectionCertificate.RequireUsable(certificate, name);
    }
}

/// <summary>What a wrapping certificate must be: Data Protection wraps keys with XML encryption, which needs an RSA key pair.</summary>
public static class KeyProtectionCertificate
{
    /// <summary>Returns <paramref name="certificate"/>, or disposes it and throws naming <paramref name="name"/>.</summary>
    public static X509Certificate2 RequireUsable(X509Certificate2 certificate, string name)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? problem = null;
        if (!certificate.HasPrivateKey) problem = "has no private key";
        else if (certificate.GetRSAPrivateKey() is not { } rsa) problem = "is not an RSA certificate (XML key encryption needs RSA)";
        else rsa.Dispose();
        if (problem is null) return certificate;
        certificate.Dispose();
        throw new InvalidOperationException($"{name} {problem}");
    }
}
