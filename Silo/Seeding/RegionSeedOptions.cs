using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Silo.Seeding;

/// <summary>
/// Establishments, AE titles and professionals created at start-up when missing (section <c>Mirc:Seed</c>), so a
/// fresh embedded install accepts the README's dcmtk examples. Existing records are never overwritten.
/// </summary>
public sealed class RegionSeedOptions
{
    public const string Section = "Mirc:Seed";

    /// <summary>Establishments to create when missing.</summary>
    public List<SeedEstablishment> Establishments { get; set; } = [];

    /// <summary>Professionals to create when missing.</summary>
    public List<SeedProfessional> Professionals { get; set; } = [];
}

/// <summary>One establishment of the seed.</summary>
public sealed class SeedEstablishment
{
    /// <summary>Establishment id (e.g. FINESS number).</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Retention of its studies, in years.</summary>
    public int RetentionYears { get; set; } = 20;

    /// <summary>Sharing policy.</summary>
    public SharingPolicy Sharing { get; set; } = SharingPolicy.CareRelationship;

    /// <summary>Its DICOM application entities.</summary>
    public List<SeedAeTitle> AeTitles { get; set; } = [];
}

/// <summary>One AE title of a seeded establishment.</summary>
public sealed class SeedAeTitle
{
    /// <summary>AE title (1–16 characters).</summary>
    public string AeTitle { get; set; } = "";

    /// <summary>Host of the device: the address it must associate from (unless <see cref="Networks"/>) and where C-MOVE / pushes reach it.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port the AE listens on; 0 when it never receives.</summary>
    public int Port { get; set; }

    /// <summary>What it may do.</summary>
    public AePermissions Permissions { get; set; } = AePermissions.All;

    /// <summary>Networks (CIDR or single addresses) it may associate from instead of <see cref="Host"/>'s address.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>TLS client certificate it must present (SHA-256 / SHA-1 thumbprint or subject); set: TLS port only.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>The archive connects to it (C-MOVE destination, share recipient) over DICOM TLS.</summary>
    public bool Tls { get; set; }
}

/// <summary>One professional of the seed.</summary>
public sealed class SeedProfessional
{
    /// <summary>National id (RPPS).</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Establishment the professional works for.</summary>
    public string? EstablishmentId { get; set; }

    /// <summary>Role names (see the README's roles).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>
    /// Username of a local login account (password + TOTP) created for this professional when missing; empty: no
    /// local account (the professional signs in through the external identity provider).
    /// </summary>
    public string? Username { get; set; }

    /// <summary>
    /// Initial password of the local account; empty: a one-time password is generated and printed once on the
    /// console. Either way it must be replaced at first login.
    /// </summary>
    public string? InitialPassword { get; set; }
}
