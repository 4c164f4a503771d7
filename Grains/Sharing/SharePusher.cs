using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Network;
using Mirc.Grains.Dimse;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Grains.Sharing;

/// <summary>
/// Runs one share: claims it from its grain, resolves the study's instances and the recipient's address, then sends the
/// stored files with C-STORE on one association, resuming after the instances a previous run already handled. An
/// unreachable recipient defers the share to its grain's retry reminder until the retry horizon. The bytes go from the
/// blob store to the socket; the grain only sees counts.
/// </summary>
public sealed class SharePusher
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);
    private readonly IGrainFactory _grains;
    private readonly IInstanceRetriever _retriever;
    private readonly SharingOptions _options;
    private readonly IAuditTrail _audit;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DicomPeerTls _peerTls;

    /// <summary>Creates the pusher.</summary>
    public SharePusher(IGrainFactory grains, IInstanceRetriever retriever, IOptions<SharingOptions> options, IAuditTrail audit,
        ILoggerFactory loggerFactory, TimeProvider time, DicomPeerTls peerTls)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _grains = grains;
        _retriever = retriever;
        _options = options.Value;
        _audit = audit;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SharePusher>();
        _time = time;
        _peerTls = peerTls;
    }

    /// <summary>Identity of this host's worker in share leases.</summary>
    public string WorkerId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Runs (or resumes) <paramref name="shareId"/>.</summary>
    public async Task<ShareRunOutcome> RunAsync(string shareId, CancellationToken cancellationToken)
    {
        var grain = _grains.Reference<IShareGrain>(shareId);
        var share = await grain.TryClaimAsync(WorkerId, _options.Lease).ConfigureAwait(false);
        if (share is null)
        {
            return await grain.GetAsync().ConfigureAwait(false) is { IsFinished: false } ? ShareRunOutcome.HeldElsewhere : ShareRunOutcome.Finished;
        }

        var entries = await _retriever.ResolveAsync(new RetrievalScope(share.Request.StudyInstanceUid), cancellationToken).ConfigureAwait(false);
        var remaining = entries.Skip(share.Processed).ToList();
        var batch = new ProgressBatch(entries.Count);
        var registration = await _grains.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey)
            .ResolveAsync(share.Request.RecipientAeTitle).ConfigureAwait(false);
        string? error = null;
        if (entries.Count == 0) error = "The study has no stored instances.";
        else if (registration is not { Entry.Port: > 0 } || (registration.Entry.Permissions & AePermissions.MoveDestination) == 0)
            error = $"{share.Request.RecipientAeTitle} is no longer a registered recipient.";
        else
        {
            SharingLog.PushStarted(_logger, shareId, entries.Count, share.Request.StudyInstanceUid, registration.Entry.AeTitle,
                registration.Entry.Host, registration.Entry.Port);
            try
            {
                if (!await SendAsync(grain, registration.Entry, share, remaining, batch, cancellationToken).ConfigureAwait(false))
                    return ShareRunOutcome.Interrupted;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ShareRunOutcome.Interrupted;
            }
            catch (Exception ex) when (ex is IOException or DicomAssociationException or DicomProtocolException
                or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException)
            {
                error = $"The recipient could not be reached or broke the association: {ex.Message}";
                SharingLog.PushFailed(_logger, ex, shareId, error);
                // Unreachable is usually temporary: the share's reminder retries it with backoff until the horizon.
                if (await grain.DeferAsync(WorkerId, batch.Take(), error).ConfigureAwait(false) is not null) return ShareRunOutcome.Retrying;
                error = $"Gave up after the retry horizon ({_options.RetryHorizon}): {error}";
            }
        }

        if (error is not null)
        {
            // Whatever was not handled counts as failed, so the requester sees which instances did not arrive.
            foreach (var entry in remaining.Skip(batch.Handled).ToList()) batch.Failed(entry.SopInstanceUid);
        }

        var finished = await grain.FinishAsync(WorkerId, batch.Take(), error).ConfigureAwait(false);
        if (finished is not null)
        {
            SharingLog.PushFinished(_logger, shareId, finished.Status.ToString(), finished.Completed, finished.Failed);
            await AuditAsync(finished, CancellationToken.None).ConfigureAwait(false);
        }
        return ShareRunOutcome.Finished;
    }

    /// <returns>False when the lease was lost (another worker took over).</returns>
    private async Task<bool> SendAsync(IShareGrain grain, AeTitleEntry recipient, ShareSnapshot share, IReadOnlyList<InstanceEntry> remaining,
        ProgressBatch batch, CancellationToken cancellationToken)
    {
        var proposals = DicomClient.ProposalsFor(remaining.Select(e => (e.SopClassUid, e.TransferSyntaxUid)));
        var client = await DicomClient.ConnectAsync(recipient.Host, recipient.Port, _options.CallingAeTitle, recipient.AeTitle, proposals,
            new DicomClientOptions { Tls = _peerTls.For(recipient) }, _loggerFactory, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            var lastReport = _time.GetTimestamp();
            foreach (var entry in remaining)
            {
                if (await StoreOneAsync(client, entry, cancellationToken).ConfigureAwait(false)) batch.Succeeded();
                else batch.Failed(entry.SopInstanceUid);

                if (batch.Count >= _options.ProgressEvery || _time.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    if (!await grain.ReportProgressAsync(WorkerId, batch.Take(), _options.Lease).ConfigureAwait(false)) return false;
                    lastReport = _time.GetTimestamp();
                }
            }
            await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private async Task<bool> StoreOneAsync(DicomClient client, InstanceEntry entry, CancellationToken cancellationToken)
    {
        var source = new DicomInstanceSource(entry.SopClassUid, entry.SopInstanceUid, entry.TransferSyntaxUid,
            async token => await _retriever.OpenInstanceAsync(entry, token).ConfigureAwait(false));
        try
        {
            var result = await client.StoreAsync(source, ct: cancellationToken).ConfigureAwait(false);
            // Success and warnings (coercion, elements discarded) mean the recipient kept the instance.
            return result.Status == DimseStatus.Success || (result.Status & 0xF000) == 0xB000;
        }
        catch (InstanceNotFoundException)
        {
            return false; // the blob is gone: this instance fails, the association is untouched
        }
    }

    private ValueTask AuditAsync(ShareSnapshot share, CancellationToken cancellationToken)
    {
        var request = share.Request;
        return _audit.RecordAsync(new AuditEvent
        {
            Timestamp = _time.GetUtcNow(),
            Action = AuditAction.Retrieve,
            Outcome = share.Status == ShareStatus.Completed ? AuditOutcome.Success : AuditOutcome.Failure,
            ActorId = request.RequestedBy,
            ActorEstablishmentId = request.RequesterEstablishmentId,
            Source = request.Source is null ? "share" : "share http " + request.Source,
            StudyUids = [request.StudyInstanceUid],
            Detail = $"share {share.ShareId} pushed to AE {request.RecipientAeTitle} (establishment {request.RecipientEstablishmentId}): " +
                $"{share.Completed} sent, {share.Failed} failed{(share.Error is null ? "" : "; " + share.Error)}; reason: {request.Reason}",
        }, cancellationToken);
    }
}
