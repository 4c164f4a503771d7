using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Network;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Dimse;

/// <summary>
/// The client side of DICOM TLS for the associations the archive opens (C-MOVE sub-operations, share pushes) to AE
/// titles registered with <see cref="AeTitleEntry.Tls"/>: BCP 195 protocols and ciphers, the peer's certificate checked
/// against <see cref="DicomPeerTlsOptions.TrustedCaPath"/> and the registered host name, our client certificate when
/// configured. Files are read once, at start-up (see <see cref="DicomPeerTlsOptionsValidation"/>).
/// </summary>
public sealed class DicomPeerTls : IDisposable
{
    private const string Prefix = DicomPeerTlsOptions.Section + ":";
    private readonly X509Certificate2Collection _authorities = [];
    private readonly SslStreamCertificateContext? _clientCertificate;
    private readonly X509Certificate2? _leaf;
    private readonly X509Certificate2Collection _chain = [];

    /// <summary>Reads the files <paramref name="options"/> names; throws <see cref="DicomTlsConfigurationException"/> naming the setting.</summary>
    public DicomPeerTls(IOptions<DicomPeerTlsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.TrustedCaPath))
        {
            Read(o.TrustedCaPath, "TrustedCaPath", () => _authorities.ImportFromPemFile(o.TrustedCaPath));
            if (_authorities.Count == 0) throw new DicomTlsConfigurationException($"{Prefix}TrustedCaPath '{o.TrustedCaPath}' holds no PEM certificate");
        }

        if (!string.IsNullOrWhiteSpace(o.CertificatePath))
        {
            var path = o.CertificatePath;
            if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                var all = new X509Certificate2Collection();
                Read(path, "CertificatePath", () => all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, o.CertificatePassword));
                _leaf = all.FirstOrDefault(c => c.HasPrivateKey);
                foreach (var c in all.Where(c => !ReferenceEquals(c, _leaf))) _chain.Add(c);
            }
            else
            {
                var key = string.IsNullOrWhiteSpace(o.KeyPath) ? null : o.KeyPath;
                X509Certificate2? leaf = null;
                Read(path, "CertificatePath / KeyPath", () =>
                {
                    leaf = string.IsNullOrEmpty(o.CertificatePassword)
                        ? X509Certificate2.CreateFromPemFile(path, key)
                        : X509Certificate2.CreateFromEncryptedPemFile(path, o.CertificatePassword, key);
                    _chain.ImportFromPemFile(path);
                });
                _leaf = leaf;
                // The first PEM certificate is the leaf; the others are its chain.
                if (_chain.Count > 0)
                {
                    _chain[0].Dispose();
                    _chain.RemoveAt(0);
                }
            }

            if (_leaf is null) throw new DicomTlsConfigurationException($"{Prefix}CertificatePath '{path}' holds no certificate with its private key");
            _clientCertificate = SslStreamCertificateContext.Create(_leaf, _chain, offline: true);
        }
    }

    /// <summary>Whether a client certificate of ours is configured.</summary>
    public bool HasClientCertificate => _clientCertificate is not null;

    /// <summary>The handshake options for <paramref name="peer"/>, or null when it is reached over plain TCP.</summary>
    public SslClientAuthenticationOptions? For(AeTitleEntry peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!peer.Tls) return null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = peer.Host,
            EnabledSslProtocols = Bcp195.Protocols,
            CipherSuitesPolicy = Bcp195.CipherSuitesPolicy(),
            ClientCertificateContext = _clientCertificate,
            // No revocation lists are reachable from most imaging networks; trust is the configured authorities.
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (_authorities.Count > 0)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(_authorities);
            policy.ExtraStore.AddRange(_authorities);
            options.CertificateChainPolicy = policy;
        }

        return options;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _leaf?.Dispose();
        foreach (var c in _chain) c.Dispose();
        foreach (var c in _authorities) c.Dispose();
    }

    private static void Read(string path, string setting, Action read)
    {
        if (!File.Exists(path)) throw new DicomTlsConfigurationException($"{Prefix}{setting} '{path}': file not found");
        try
        {
            read();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new DicomTlsConfigurationException($"{Prefix}{setting} '{path}' is unreadable: {ex.Message}");
        }
    }
}

/// <summary>Start-up check of <see cref="DicomPeerTlsOptions"/>: the files it names must be readable and usable.</summary>
public sealed class DicomPeerTlsOptionsValidation : IValidateOptions<DicomPeerTlsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DicomPeerTlsOptions options)
    {
        try
        {
            using var credentials = new DicomPeerTls(Options.Create(options));
            return ValidateOptionsResult.Success;
        }
        catch (DicomTlsConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
