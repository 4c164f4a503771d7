using System.Net;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Dimse;
using Mirc.Grains.Interfaces.Establishments;
using Orleans.Concurrency;

namespace Mirc.Grains.Dimse;

/// <summary>
/// One establishment's DICOM gateway. Its rules come from the establishment's AE configuration (kept by the
/// establishment grain, re-read at each association so a change applies to the next one).
/// </summary>
[StatelessWorker] // no state: it forwards to the establishment's grain, so each silo serves its associations locally
public sealed partial class DicomProxyGrain(IGrainFactory grains, ILogger<DicomProxyGrain> logger) : Grain, IDicomProxyGrain
{
    private string EstablishmentId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<DicomAssociationGrant> OpenAssociationAsync(DicomAssociationAttempt attempt)
    {
        var profile = await grains.Reference<IEstablishmentGrain>(EstablishmentId).GetAsync();
        var entry = profile?.AeTitles.FirstOrDefault(a => string.Equals(a.AeTitle, attempt.CallingAe, StringComparison.Ordinal));
        if (entry is null)
        {
            LogRefused(attempt.CallingAe, EstablishmentId, "calling AE title not configured for this establishment");
            return DicomAssociationGrant.Refuse("calling AE title not recognized");
        }

        if ((entry.Permissions & (AePermissions.Store | AePermissions.Query | AePermissions.Retrieve)) == 0)
        {
            LogRefused(attempt.CallingAe, EstablishmentId, "AE title has no store, query or retrieve permission");
            return DicomAssociationGrant.Refuse("calling AE title may not open associations");
        }

        // A device is an AE title at an address: the title alone is no credential, anyone can type it.
        var mismatch = attempt.RemoteAddress is not null && IPAddress.TryParse(attempt.RemoteAddress, out var peer)
            ? await DeviceAddress.MismatchAsync(entry, peer, CancellationToken.None)
            : "peer address unknown";
        // ... and, when bound to a certificate, that certificate over TLS (never the plain port).
        mismatch ??= DeviceCertificate.Mismatch(entry, attempt);
        if (mismatch is not null)
        {
            LogRefused(attempt.CallingAe, EstablishmentId, mismatch);
            return DicomAssociationGrant.Refuse(mismatch);
        }

        return new DicomAssociationGrant(true, entry.Permissions, null);
    }

    /// <inheritdoc />
    public async Task<AeTitleEntry?> ResolveMoveDestinationAsync(string aeTitle)
    {
        var registration = await grains.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey).ResolveAsync(aeTitle.Trim());
        if (registration is null || (registration.Entry.Permissions & AePermissions.MoveDestination) == 0 || registration.Entry.Port <= 0)
        {
            return null;
        }

        return registration.Entry;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DICOM association from {CallingAe} refused for establishment {EstablishmentId}: {Reason}")]
    private partial void LogRefused(string callingAe, string establishmentId, string reason);
}
