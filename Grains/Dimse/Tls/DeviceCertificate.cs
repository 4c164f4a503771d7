using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mirc.Grains.Interfaces.Dimse;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Dimse;

/// <summary>
/// A device bound to a certificate (<see cref="AeTitleEntry.ClientCertificate"/>): its AE title is accepted only over TLS
/// with that certificate. The binding is a SHA-256 or SHA-1 thumbprint (hex, colons and spaces ignored) or a subject
/// distinguished name ("CN=CT-1, O=Hôpital"); the chain itself was already checked in the handshake against
/// <c>Mirc:Dicom:Tls:ClientCaPath</c>.
/// </summary>
public static class DeviceCertificate
{
    /// <summary>What the listener knows of a peer certificate, for the proxy grain.</summary>
    public static PeerCertificate Describe(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new PeerCertificate(
            Convert.ToHexString(SHA256.HashData(certificate.RawData)),
            certificate.Thumbprint,
            certificate.SubjectName.Decode(X500DistinguishedNameFlags.None));
    }

    /// <summary>Null when the attempt may use <paramref name="entry"/>'s AE title as far as certificates go, otherwise why not.</summary>
    public static string? Mismatch(AeTitleEntry entry, DicomAssociationAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(attempt);
        if (string.IsNullOrWhiteSpace(entry.ClientCertificate)) return null;
        if (!attempt.OverTls)
        {
            return $"AE title {entry.AeTitle} is bound to a client certificate: it must associate over the DICOM TLS port";
        }

        if (attempt.Certificate is not { } presented)
        {
            return $"AE title {entry.AeTitle} is bound to a client certificate and none was presented";
        }

        return Matches(entry.ClientCertificate, presented)
            ? null
            : $"the client certificate ({presented.Subject}, SHA-256 {presented.Sha256}) is not the one bound to AE title {entry.AeTitle}";
    }

    /// <summary>Whether <paramref name="binding"/> (thumbprint or subject) designates <paramref name="presented"/>.</summary>
    public static bool Matches(string binding, PeerCertificate presented)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(presented);
        if (TryParseThumbprint(binding, out var thumbprint))
        {
            return thumbprint.Length == 64
                ? CryptographicOperations.FixedTimeEquals(Convert.FromHexString(thumbprint), Convert.FromHexString(presented.Sha256))
                : string.Equals(thumbprint, presented.Sha1, StringComparison.OrdinalIgnoreCase);
        }

        return TryNormalizeSubject(binding, out var subject) && string.Equals(subject, presented.Subject, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="binding"/> is a usable binding: a SHA-1 / SHA-256 thumbprint or a distinguished name.</summary>
    public static bool IsValid(string? binding) =>
        !string.IsNullOrWhiteSpace(binding) && binding.Length <= 1024
        && (TryParseThumbprint(binding, out _) || TryNormalizeSubject(binding, out _));

    private static bool TryParseThumbprint(string text, out string hex)
    {
        hex = new string([.. text.Where(c => c is not (':' or ' '))]).ToUpperInvariant();
        return hex.Length is 40 or 64 && hex.All(char.IsAsciiHexDigit);
    }

    private static bool TryNormalizeSubject(string text, out string subject)
    {
        subject = "";
        if (!text.Contains('=', StringComparison.Ordinal)) return false;
        try
        {
            // Rendered from its DER form: attribute names and separators in one spelling, whatever the operator typed.
            subject = new X500DistinguishedName(text.Trim()).Decode(X500DistinguishedNameFlags.None);
            return subject.Length > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
