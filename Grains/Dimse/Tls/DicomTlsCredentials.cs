using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mirc.Dicom.Network;

namespace Mirc.Grains.Dimse;

/// <summary>
/// The DICOM TLS port's credentials, read from the files <see cref="DicomTlsOptions"/> names: the server certificate with
/// its key and chain, and the certification authorities client certificates must chain to. Every problem is a
/// <see cref="DicomTlsConfigurationException"/> naming the setting, reported at start-up.
/// </summary>
public sealed class DicomTlsCredentials : IDisposable
{
    private const string Prefix = DicomTlsOptions.Section + ":";
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private DicomTlsCredentials(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection clientAuthorities)
    {
        Certificate = certificate;
        Chain = chain;
        ClientAuthorities = clientAuthorities;
    }

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Intermediate certificates sent with it.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Trusted roots (and intermediates) for client certificates; empty when none are asked for.</summary>
    public X509Certificate2Collection ClientAuthorities { get; }

    /// <summary>Reads the files; throws <see cref="DicomTlsConfigurationException"/> naming the setting at fault.</summary>
    public static DicomTlsCredentials Load(DicomTlsOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var certificatePath = RequireFile(options.CertificatePath, "CertificatePath", "the server certificate (PEM or .pfx)");
        var (certificate, chain) = IsPkcs12(certificatePath)
            ? LoadPkcs12(certificatePath, options)
            : LoadPem(certificatePath, options);
        var now = clock.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            var span = $"{certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}";
            certificate.Dispose();
            throw new DicomTlsConfigurationException($"{Prefix}CertificatePath '{certificatePath}': the certificate is not valid now (valid {span})");
        }

        var authorities = new X509Certificate2Collection();
        if (options.ClientCertificateMode != TlsClientCertificateMode.None)
        {
            var caPath = RequireFile(options.ClientCaPath, "ClientCaPath",
                $"the PEM bundle of the authorities client certificates chain to (needed with ClientCertificateMode={options.ClientCertificateMode})");
            try
            {
                authorities.ImportFromPemFile(caPath);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new DicomTlsConfigurationException($"{Prefix}ClientCaPath '{caPath}' is unreadable: {ex.Message}");
            }

            if (authorities.Count == 0)
            {
                throw new DicomTlsConfigurationException($"{Prefix}ClientCaPath '{caPath}' holds no PEM certificate");
            }
        }

        return new DicomTlsCredentials(certificate, chain, authorities);
    }

    /// <summary>
    /// The handshake options: BCP 195 protocols and cipher suites, this certificate, and — unless
    /// <see cref="TlsClientCertificateMode.None"/> — a client certificate asked for and checked against
    /// <see cref="ClientAuthorities"/> only (never the machine's store: a certificate from any public authority is no
    /// credential here).
    /// </summary>
    public SslServerAuthenticationOptions ServerOptions(TlsClientCertificateMode mode)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(Certificate, Chain, offline: true),
            EnabledSslProtocols = Bcp195.Protocols,
            CipherSuitesPolicy = Bcp195.CipherSuitesPolicy(),
            ClientCertificateRequired = mode != TlsClientCertificateMode.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (mode != TlsClientCertificateMode.None)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is null
                    ? mode == TlsClientCertificateMode.Allow && errors == SslPolicyErrors.RemoteCertificateNotAvailable
                    : ChainsToAuthorities(certificate);
        }

        return options;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <see cref="ClientAuthorities"/> and may authenticate a client.</summary>
    public bool ChainsToAuthorities(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientAuthorities);
        chain.ChainPolicy.ExtraStore.AddRange(ClientAuthorities);
        // No revocation lists are configured; an entry's certificate binding (thumbprint) is the way to retire one.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        }
    }

    private static string RequireFile(string? path, string setting, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new DicomTlsConfigurationException($"{Prefix}{setting} is required with {Prefix}Port: {what}");
        }

        if (!File.Exists(path))
        {
            throw new DicomTlsConfigurationException($"{Prefix}{setting} '{path}': file not found");
        }

        return path;
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    private static (X509Certificate2, X509Certificate2Collection) LoadPkcs12(string path, DicomTlsOptions options)
    {
        if (!string.IsNullOrEmpty(options.KeyPath))
        {
            throw new DicomTlsConfigurationException($"{Prefix}KeyPath is for a PEM certificate; the PKCS#12 file '{path}' carries its own key");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, options.CertificatePassword);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new DicomTlsConfigurationException($"{Prefix}CertificatePath '{path}' is unreadable (or {Prefix}CertificatePassword is wrong): {ex.Message}");
        }

        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new DicomTlsConfigurationException($"{Prefix}CertificatePath '{path}' holds no certificate with its private key");
        var chain = new X509Certificate2Collection();
        foreach (var other in all)
        {
            if (!ReferenceEquals(other, leaf)) chain.Add(other);
        }

        return (leaf, chain);
    }

    private static (X509Certificate2, X509Certificate2Collection) LoadPem(string path, DicomTlsOptions options)
    {
        var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath;
        if (keyPath is not null && !File.Exists(keyPath))
        {
            throw new DicomTlsConfigurationException($"{Prefix}KeyPath '{keyPath}': file not found");
        }

        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            leaf = string.IsNullOrEmpty(options.CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
            chain.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            var setting = keyPath is null ? "CertificatePath" : "CertificatePath / " + Prefix + "KeyPath";
            throw new DicomTlsConfigurationException($"{Prefix}{setting} '{path}'{(keyPath is null ? "" : $" / '{keyPath}'")} is unreadable: {ex.Message}");
        }

        // The first PEM certificate is the leaf; the others are its chain.
        if (chain.Count > 0)
        {
            chain[0].Dispose();
            chain.RemoveAt(0);
        }

        return (leaf, chain);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Chain) c.Dispose();
        foreach (var c in ClientAuthorities) c.Dispose();
    }
}

/// <summary>A DICOM TLS setting that cannot be used; the message names the setting.</summary>
[GenerateSerializer, Alias("mirc.DicomTlsConfigurationException")]
public sealed class DicomTlsConfigurationException(string message) : Exception(message);
