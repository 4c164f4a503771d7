using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Dimse;

/// <summary>What the archive decided when the association opened; handed back with every DIMSE request on it.</summary>
/// <param name="EstablishmentId">Establishment of the calling AE.</param>
/// <param name="Principal">The professional (user identity negotiation) or the device itself.</param>
/// <param name="Permissions">What the calling AE may do.</param>
/// <param name="RemoteAddress">Peer address, for audit.</param>
public sealed record ArchiveAssociation(string EstablishmentId, ProfessionalPrincipal Principal, AePermissions Permissions, string? RemoteAddress)
{
    /// <summary>True when <paramref name="permission"/> was granted.</summary>
    public bool May(AePermissions permission) => (Permissions & permission) == permission;

    /// <summary>The studies whose successful stores on this association are already on record.</summary>
    internal StoreAuditCoverage StoresOnRecord { get; } = new();
}
