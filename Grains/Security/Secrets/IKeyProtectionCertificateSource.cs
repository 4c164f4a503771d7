using System.Security.Cryptography.X509Certificates;

namespace Mirc.Grains.Security.Secrets;

/// <summary>Where the certificates that wrap the Data Protection keys come from (Azure Key Vault, or local files).</summary>
public interface IKeyProtectionCertificateSource
{
    /// <summary>Where the certificates are read from, for logs and errors.</summary>
    string Location { get; }

    /// <summary>
    /// The certificates with their private keys, the one that wraps new keys first, then those kept to unwrap older
    /// keys. Called once, at start-up; throws <see cref="InvalidOperationException"/> naming the setting when unusable.
    /// </summary>
    IReadOnlyList<X509Certificate2> Load();
}
