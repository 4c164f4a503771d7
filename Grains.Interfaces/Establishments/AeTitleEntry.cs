namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>An application entity of an establishment: an AE title at an address.</summary>
/// <param name="AeTitle">AE title (1–16 characters, no backslash, trimmed).</param>
/// <param name="Host">
/// Host name or IP of the device: the archive connects to it (C-MOVE destinations, pushes) and accepts its
/// associations only from this address (a host name: from the addresses it resolves to) unless <paramref name="Networks"/> is set.
/// </param>
/// <param name="Port">TCP port (for C-MOVE destinations; 0 when unused).</param>
/// <param name="Permissions">Allowed operations.</param>
/// <param name="Networks">
/// Networks the device may associate from instead of <paramref name="Host"/>'s address, in CIDR notation (10.1.2.0/24,
/// 2001:db8::/64) or single addresses — for a device pool or an address that changes. Null (state written before this
/// field existed) or empty: <paramref name="Host"/> only.
/// </param>
/// <param name="ClientCertificate">
/// The TLS client certificate the device must present — a SHA-256 or SHA-1 thumbprint (hex) or a subject distinguished
/// name. Set: the AE title is accepted only on the DICOM TLS port with that certificate, never on the plain port.
/// Null: no certificate binding.
/// </param>
/// <param name="Tls">
/// The archive connects to this AE (C-MOVE destination, share recipient) over DICOM TLS, checking its certificate against
/// <c>Mirc:Dicom:PeerTls:TrustedCaPath</c> and <paramref name="Host"/>. False: plain TCP.
/// </param>
[GenerateSerializer, Immutable, Alias("mirc.AeTitleEntry")]
public sealed record AeTitleEntry(
    [property: Id(0)] string AeTitle,
    [property: Id(1)] string Host,
    [property: Id(2)] int Port,
    [property: Id(3)] AePermissions Permissions,
    [property: Id(4)] IReadOnlyList<string>? Networks = null,
    [property: Id(5)] string? ClientCertificate = null,
    [property: Id(6)] bool Tls = false);
