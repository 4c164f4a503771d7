using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Api.Management.Establishments;

/// <summary>Body of <c>POST /api/establishments</c>.</summary>
/// <param name="EstablishmentId">Establishment id, e.g. a FINESS number.</param>
/// <param name="Name">Display name.</param>
/// <param name="RetentionYears">How long studies are kept (1–100 years; default 20).</param>
/// <param name="Sharing">Sharing policy (default CareRelationship).</param>
public sealed record CreateEstablishmentRequest(string? EstablishmentId, string? Name, int? RetentionYears, SharingPolicy? Sharing)
{
    /// <summary>Field problems, none when valid.</summary>
    public FieldErrors Validate() => new FieldErrors()
        .Check(Identifiers.IsValidKey(EstablishmentId), nameof(EstablishmentId), "Required: 1 to 64 letters, digits, '.', '_' or '-'.")
        .Check(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 128, nameof(Name), "Required, at most 128 characters.")
        .Check(RetentionYears is null or (>= 1 and <= 100), nameof(RetentionYears), "Must be between 1 and 100 years.")
        .Check(Sharing is null || Enum.IsDefined(Sharing.Value), nameof(Sharing), "Must be CareRelationship, Private or Regional.");
}

/// <summary>Body of <c>PUT /api/establishments/{id}</c>: fields to change (absent = unchanged).</summary>
/// <param name="Name">Display name.</param>
/// <param name="RetentionYears">Retention in years.</param>
/// <param name="Sharing">Sharing policy.</param>
public sealed record UpdateEstablishmentRequest(string? Name, int? RetentionYears, SharingPolicy? Sharing)
{
    /// <summary>Field problems, none when valid.</summary>
    public FieldErrors Validate() => new FieldErrors()
        .Check(Name is null || (!string.IsNullOrWhiteSpace(Name) && Name.Length <= 128), nameof(Name), "At most 128 characters, not blank.")
        .Check(RetentionYears is null or (>= 1 and <= 100), nameof(RetentionYears), "Must be between 1 and 100 years.")
        .Check(Sharing is null || Enum.IsDefined(Sharing.Value), nameof(Sharing), "Must be CareRelationship, Private or Regional.");
}

/// <summary>Body of <c>PUT /api/establishments/{id}/ae-titles/{aeTitle}</c>.</summary>
/// <param name="Host">Host name or IP the archive connects to for C-MOVE / push.</param>
/// <param name="Port">TCP port (1–65535; 0 for a device that only calls the archive, never a MoveDestination).</param>
/// <param name="Permissions">Store, Query, Retrieve, MoveDestination (any combination; default all).</param>
/// <param name="Networks">Networks (CIDR or single addresses) the device may associate from instead of the host's address.</param>
/// <param name="ClientCertificate">
/// TLS client certificate the device must present: SHA-256 or SHA-1 thumbprint (hex) or subject ("CN=CT-1, O=Hospital").
/// Set: the AE title is accepted on the DICOM TLS port only, with that certificate.
/// </param>
/// <param name="Tls">True: the archive connects to this AE (C-MOVE destination, share recipient) over DICOM TLS.</param>
public sealed record AeTitleRequest(string? Host, int? Port, IReadOnlyList<AePermissions>? Permissions, IReadOnlyList<string>? Networks = null,
    string? ClientCertificate = null, bool? Tls = null)
{
    /// <summary>Field problems, none when valid.</summary>
    public FieldErrors Validate() => new FieldErrors()
        .Check(!string.IsNullOrWhiteSpace(Host) && Host.Length <= 253 && Uri.CheckHostName(Host) != UriHostNameType.Unknown, nameof(Host), "Required: a host name or IP address.")
        // Port 0 is "none": a device that only calls the archive (as seeded ones are); a destination needs a real port.
        .Check(Port is >= 1 and <= 65535 || (Port == 0 && !CombinedPermissions().HasFlag(AePermissions.MoveDestination)), nameof(Port),
            "Required: a TCP port between 1 and 65535 (0 only for a device that is never sent studies).")
        .Check(Permissions is null || Permissions.All(p => p is AePermissions.Store or AePermissions.Query or AePermissions.Retrieve or AePermissions.MoveDestination or AePermissions.All),
            nameof(Permissions), "Each permission must be Store, Query, Retrieve, MoveDestination or All.")
        .Check(Networks is null || Networks.All(n => Mirc.Grains.Dimse.DeviceAddress.TryParseNetwork(n, out _)), nameof(Networks),
            "Each network must be CIDR with its host bits zero (10.1.2.0/24) or a single IP address.")
        .Check(ClientCertificate is null || Mirc.Grains.Dimse.DeviceCertificate.IsValid(ClientCertificate), nameof(ClientCertificate),
            "A SHA-256 or SHA-1 thumbprint (hex) or a subject distinguished name such as CN=CT-1, O=Hospital.");

    /// <summary>The combined permission flags (all when none given).</summary>
    public AePermissions CombinedPermissions() =>
        Permissions is null || Permissions.Count == 0 ? AePermissions.All : Permissions.Aggregate(AePermissions.None, (all, p) => all | p);
}
