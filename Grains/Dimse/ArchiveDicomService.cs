using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Grains.Audit;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Dimse;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Security;

namespace Mirc.Grains.Dimse;

/// <summary>
/// The archive behind the DICOM listener: identifies the establishment by its calling AE title, asks its proxy grain
/// what it may do, authenticates the optional user identity, then serves C-STORE through the ingest pipeline,
/// C-FIND through the query index and C-GET / C-MOVE through the retriever — every query and retrieve filtered by the
/// same access decision as DICOMweb, and audited.
/// </summary>
public sealed partial class ArchiveDicomService(
    IGrainFactory grains,
    IAeTitleDirectory aeTitles,
    IDimseIdentityValidator identities,
    IAccessControl access,
    IInstanceIngestor ingestor,
    IQueryIndex index,
    IInstanceRetriever retriever,
    IAuditTrail audit,
    IOptions<DicomListenerOptions> options,
    IOptions<DicomTlsOptions> tlsOptions,
    DicomPeerTls peerTls,
    TimeProvider clock,
    ILogger<ArchiveDicomService> logger) : IDicomServiceHandler
{
    private readonly HandshakeFailureThrottle _handshakeFailures = new(
        tlsOptions.Value.HandshakeFailureAuditInterval, tlsOptions.Value.MaxHandshakeFailureAuditsPerInterval, clock);

    /// <inheritdoc />
    public async ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct)
    {
        var remote = (request.RemoteEndPoint as IPEndPoint)?.Address.ToString();
        if (!options.Value.AcceptAnyCalledAe && !string.Equals(request.CalledAe, options.Value.AeTitle, StringComparison.Ordinal))
        {
            LogRejected(request.CallingAe, remote, $"called AE title '{request.CalledAe}' is not '{options.Value.AeTitle}' (Mirc:Dicom:AeTitle; Mirc:Dicom:AcceptAnyCalledAe accepts any)");
            return AssociationDecision.Reject(AssociationRejection.CalledAeNotRecognized);
        }

        // In production the plain port is for loopback (or a VPN endpoint on this machine) only: remote devices use TLS.
        if (request.Tls is null && tlsOptions.Value.PlainTransportRefusal((request.RemoteEndPoint as IPEndPoint)?.Address) is { } plainRefused)
        {
            LogRejected(request.CallingAe, remote, plainRefused);
            await audit.RecordAsync(((ProfessionalPrincipal?)null).ToAuditEvent(AuditAction.Login, AuditOutcome.Denied, clock.GetUtcNow(),
                source: Source(request.CallingAe, remote), detail: "DICOM association rejected: " + plainRefused), ct);
            return AssociationDecision.Reject(AssociationRejection.NoReason);
        }

        var establishmentId = await aeTitles.FindEstablishmentAsync(request.CallingAe, ct);
        if (establishmentId is null)
        {
            LogRejected(request.CallingAe, remote, "calling AE title not recognized (register it for its establishment: "
                + "Mirc:Seed:Establishments:N:AeTitles, or PUT /api/establishments/{id}/ae-titles/{aeTitle})");
            await audit.RecordAsync(((ProfessionalPrincipal?)null).ToAuditEvent(AuditAction.Login, AuditOutcome.Denied, clock.GetUtcNow(),
                source: Source(request.CallingAe, remote), detail: "DICOM association rejected: calling AE title not recognized"), ct);
            return AssociationDecision.Reject(AssociationRejection.CallingAeNotRecognized);
        }

        var grant = await grains.Reference<IDicomProxyGrain>(establishmentId)
            .OpenAssociationAsync(new DicomAssociationAttempt(request.CallingAe, request.CalledAe, remote, request.Tls is not null,
                request.Tls?.ClientCertificate is { } certificate ? DeviceCertificate.Describe(certificate) : null));
        if (!grant.Accepted)
        {
            aeTitles.Forget(request.CallingAe); // the title may have moved: the next association asks the registry again
            LogRejected(request.CallingAe, remote, grant.Reason ?? "refused by establishment");
            await audit.RecordAsync(ProfessionalPrincipal.ForDevice(request.CallingAe, establishmentId).ToAuditEvent(AuditAction.Login,
                AuditOutcome.Denied, clock.GetUtcNow(), source: Source(request.CallingAe, remote), detail: "DICOM association rejected: " + grant.Reason), ct);
            return AssociationDecision.Reject(AssociationRejection.CallingAeNotRecognized);
        }

        var principal = ProfessionalPrincipal.ForDevice(request.CallingAe, establishmentId);
        if (request.UserIdentity is { } identity)
        {
            var result = await identities.ValidateAsync(new DimseIdentityRequest(request.CallingAe, remote,
                (DimseUserIdentityType)(int)identity.Type, identity.PrimaryField, identity.SecondaryField), ct);
            if (!result.IsAccepted)
            {
                LogRejected(request.CallingAe, remote, "user identity refused: " + result.FailureReason);
                await audit.RecordAsync(principal.ToAuditEvent(AuditAction.Login, AuditOutcome.Denied, clock.GetUtcNow(),
                    source: Source(request.CallingAe, remote), detail: "DICOM user identity refused"), ct);
                return AssociationDecision.Reject(AssociationRejection.NoReason);
            }

            principal = result.Principal!;
        }

        var state = new ArchiveAssociation(establishmentId, principal, grant.Permissions, remote);
        return AssociationDecision.Accept(ArchivePresentationContexts.For(grant.Permissions), state,
            request.UserIdentity is { PositiveResponseRequested: true } ? [] : null);
    }

    /// <inheritdoc />
    public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
    {
        var association = State(context);
        if (!association.May(AePermissions.Store))
        {
            return new DimseResult(DimseStatus.NotAuthorized, "this AE title may not store");
        }

        var outcome = await ingestor.IngestAsync(dataSet, new IngestRequest
        {
            Caller = new IngestCaller
            {
                EstablishmentId = association.EstablishmentId,
                CallingAeTitle = context.CallingAe,
                ProfessionalId = association.Principal.Roles == MircRoles.Device ? null : association.Principal.ProfessionalId,
                RemoteAddress = association.RemoteAddress,
            },
            Payload = IngestPayload.Dataset,
            TransferSyntaxUid = request.TransferSyntaxUid,
            AffectedSopClassUid = request.SopClassUid,
            AffectedSopInstanceUid = request.SopInstanceUid,
        }, ct);

        if (!outcome.IsSuccess)
        {
            LogStoreFailed(context.CallingAe, request.SopInstanceUid, outcome.DimseStatus, outcome.Detail ?? outcome.Status.ToString());
        }

        // One success record per study (and patient) per association, as IHE ATNA's "DICOM Instances Transferred";
        // the first instance's answer waits for it, so no acknowledged store is ever off the record. A replacement or a
        // discarded duplicate is recorded each time, as is every failure.
        var plain = outcome.Status is IngestStatus.Stored or IngestStatus.AlreadyStored or IngestStatus.StoredWithWarning;
        var covered = plain && outcome.StudyInstanceUid is { } studyUid && association.StoresOnRecord.Covers(studyUid, outcome.PatientId);
        if (!covered)
        {
            await audit.RecordAsync(association.Principal.ToAuditEvent(AuditAction.Store,
                outcome.IsSuccess ? AuditOutcome.Success : AuditOutcome.Failure, clock.GetUtcNow(),
                source: Source(context.CallingAe, association.RemoteAddress), patientId: outcome.PatientId,
                studyUids: outcome.StudyInstanceUid is null ? [] : [outcome.StudyInstanceUid],
                detail: outcome.IsSuccess ? null : outcome.Detail), ct);
            if (plain && outcome.StudyInstanceUid is { } recorded)
            {
                association.StoresOnRecord.Add(recorded, outcome.PatientId);
            }
        }

        return new DimseResult(outcome.DimseStatus, outcome.IsSuccess ? null : Truncate(outcome.Detail));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DicomDataset> OnCFindAsync(DicomServiceContext context, DicomQueryRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var association = State(context);
        if (!association.May(AePermissions.Query))
        {
            throw new DimseServiceException(DimseStatus.NotAuthorized, "this AE title may not query");
        }

        var visibility = await VisibilityAsync(association, AccessAction.QueryStudies, ct);
        var parsed = DicomQueryTranslator.Parse(request, visibility.Authorization, IndexQuery.MaxLimit);
        var rows = await QueryAsync(parsed.Query, visibility, ct);

        // One record per patient among the results, durable before the first response leaves.
        var now = clock.GetUtcNow();
        var source = Source(context.CallingAe, association.RemoteAddress);
        await PatientAccessGroup.RecordAsync(audit, PatientAccessGroup.FromRows(rows, visibility.EmergencyPatientIds),
            g => association.Principal.ToAuditEvent(AuditAction.Query, AuditOutcome.Success, now, source, g.PatientId, g.StudyUids,
                $"C-FIND {parsed.Level}: {rows.Count} match(es)", g.RequiresReview), ct);

        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            yield return DicomQueryTranslator.ToResponse(parsed, row);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        RetrieveAsync(context, request, "C-GET", null, ct);

    /// <inheritdoc />
    public IAsyncEnumerable<DicomInstanceSource> OnCMoveAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        RetrieveAsync(context, request, "C-MOVE to " + request.MoveDestination, request.MoveDestination, ct);

    /// <inheritdoc />
    public async ValueTask OnTlsHandshakeFailedAsync(IPEndPoint remote, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var address = (remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address).ToString();
        foreach (var detail in _handshakeFailures.Admit(address, reason))
        {
            await audit.RecordAsync(((ProfessionalPrincipal?)null).ToAuditEvent(AuditAction.Login, AuditOutcome.Denied, clock.GetUtcNow(),
                source: "dicom-tls@" + address, detail: detail), ct);
        }
    }

    /// <inheritdoc />
    public async ValueTask<DicomRemoteNode?> ResolveMoveDestinationAsync(DicomServiceContext context, string aeTitle, CancellationToken ct)
    {
        var entry = await grains.Reference<IDicomProxyGrain>(State(context).EstablishmentId).ResolveMoveDestinationAsync(aeTitle);
        return entry is null ? null : new DicomRemoteNode(entry.Host, entry.Port, entry.AeTitle, peerTls.For(entry));
    }

    private async IAsyncEnumerable<DicomInstanceSource> RetrieveAsync(DicomServiceContext context, DicomQueryRequest request, string operation,
        string? moveDestination, [EnumeratorCancellation] CancellationToken ct)
    {
        var association = State(context);
        if (!association.May(AePermissions.Retrieve))
        {
            throw new DimseServiceException(DimseStatus.NotAuthorized, "this AE title may not retrieve");
        }

        var visibility = await VisibilityAsync(association, AccessAction.RetrieveStudies, ct);
        var parsed = DicomQueryTranslator.Parse(request, visibility.Authorization, IndexQuery.MaxLimit);
        if (parsed.Level != QueryLevel.Patient && !parsed.Query.Matches.ContainsKey(IndexTags.StudyInstanceUid))
        {
            throw new DimseServiceException(DimseStatus.IdentifierDoesNotMatchSopClass, "Study Instance UID (0020,000D) is required below PATIENT level");
        }

        // A PATIENT-level retrieve moves the patient's studies: select them at STUDY level (patient keys are valid there).
        var selection = parsed.Level == QueryLevel.Patient ? parsed.Query with { Level = QueryLevel.Study } : parsed.Query;
        var rows = await QueryAsync(selection, visibility, ct);
        var wanted = RetrieveSelection.From(parsed.Level, rows);
        if (moveDestination is not null)
        {
            await RefuseOpposedPushAsync(context, association, wanted.StudyUids, moveDestination, ct);
        }

        var entries = new List<InstanceEntry>();
        foreach (var study in wanted.StudyUids)
        {
            foreach (var entry in await retriever.ResolveAsync(new RetrievalScope(study), ct))
            {
                if (wanted.Includes(entry))
                {
                    entries.Add(entry);
                }
            }
        }

        // Records (one per patient, served and refused) are durable before the first sub-operation starts.
        await RecordRetrieveAsync(association, context, operation, selection, rows, visibility, entries, ct);

        foreach (var entry in entries)
        {
            yield return new DicomInstanceSource(entry.SopClassUid, entry.SopInstanceUid, entry.TransferSyntaxUid,
                async token => await retriever.OpenInstanceAsync(entry, token));
        }
    }

    /// <summary>
    /// A C-MOVE to another establishment's destination is a push: refused as a whole (0124, nothing sent) when the
    /// patient's consent forbids it, unless the destination is one of the patient's establishments of care.
    /// </summary>
    private async Task RefuseOpposedPushAsync(DicomServiceContext context, ArchiveAssociation association, IEnumerable<string> studyUids,
        string moveDestination, CancellationToken ct)
    {
        var destination = await grains.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey).ResolveAsync(moveDestination.Trim());
        if (destination is null)
        {
            return; // the dispatcher already answered A801 for an unknown destination
        }

        foreach (var study in studyUids)
        {
            var verdict = await access.AuthorizePushAsync(association.Principal, study, destination.EstablishmentId, ct);
            if (verdict.IsAllowed)
            {
                continue;
            }

            var summary = await grains.Reference<IStudyGrain>(study).GetSummaryAsync();
            await audit.RecordAsync(association.Principal.ToAuditEvent(AuditAction.Retrieve, AuditOutcome.Denied, clock.GetUtcNow(),
                source: Source(context.CallingAe, association.RemoteAddress), patientId: summary.PatientId, studyUids: [study],
                detail: $"C-MOVE to {moveDestination} (establishment {destination.EstablishmentId}) refused: {verdict.Reason}"), ct);
            throw new DimseServiceException(DimseStatus.NotAuthorized,
                $"the patient's consent does not allow sending study {study} to establishment {destination.EstablishmentId}");
        }
    }

    private async Task RecordRetrieveAsync(ArchiveAssociation association, DicomServiceContext context, string operation, IndexQuery selection,
        IReadOnlyList<IReadOnlyDictionary<uint, string>> rows, StudyVisibilityFilter visibility, List<InstanceEntry> entries, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var source = Source(context.CallingAe, association.RemoteAddress);

        // Studies the identifier names that exist but are hidden from this caller: a refused retrieve, recorded as such
        // with study and patient (the peer still only sees "nothing matched", so existence does not leak).
        var served = PatientAccessGroup.FromRows(rows, visibility.EmergencyPatientIds);
        var visible = served.SelectMany(g => g.StudyUids).ToHashSet(StringComparer.Ordinal);
        var studyKeys = selection.Matches
            .Where(m => Mirc.Grains.Indexing.Sql.IndexColumns.Find(m.Key, QueryLevel.Study) is not null)
            .ToDictionary(m => m.Key, m => m.Value);
        var all = await index.QueryAsync(
            selection with { Level = QueryLevel.Study, Matches = studyKeys, Authorization = IndexAuthorization.All, Offset = 0 }, ct);
        var refused = PatientAccessGroup.FromRows(
            all.Where(r => r.GetValueOrDefault(IndexTags.StudyInstanceUid) is { } uid && !visible.Contains(uid)), null);

        var perStudy = entries.GroupBy(e => e.StudyInstanceUid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var records = refused.Select(g => association.Principal.ToAuditEvent(AuditAction.Retrieve, AuditOutcome.Denied, now, source, g.PatientId,
            g.StudyUids, $"{operation}: refused")).ToList();
        if (served.Count > 0 || refused.Count == 0)
        {
            // Served patients, or, when nothing matched at all, one record of the empty retrieve.
            var groups = served.Count > 0 ? served : [new PatientAccessGroup(null, [], false)];
            records.AddRange(groups.Select(g => association.Principal.ToAuditEvent(AuditAction.Retrieve, AuditOutcome.Success, now, source,
                g.PatientId, g.StudyUids, $"{operation}: {g.StudyUids.Sum(perStudy.GetValueOrDefault)} instance(s)", g.RequiresReview)));
        }

        // Queued together, they share one commit.
        await Task.WhenAll(records.Select(r => audit.RecordAsync(r, ct).AsTask()));
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, StudyVisibilityFilter visibility, CancellationToken ct)
    {
        try
        {
            // The index pre-filter is a superset (producers' sharing policies are not in it): rows are re-checked.
            return await ScopedIndexSearch.QueryAsync(index, query, visibility, ct);
        }
        catch (ArgumentException ex)
        {
            throw new DimseServiceException(DimseStatus.IdentifierDoesNotMatchSopClass, ex.Message);
        }
    }

    private async Task<StudyVisibilityFilter> VisibilityAsync(ArchiveAssociation association, AccessAction action, CancellationToken ct) =>
        new(await access.GetScopeAsync(association.Principal, action, ct), grains);

    private static ArchiveAssociation State(DicomServiceContext context) =>
        context.ApplicationState as ArchiveAssociation ?? throw new InvalidOperationException("association opened without archive state");

    private static string Source(string callingAe, string? remote) => $"dicom:{callingAe}@{remote ?? "?"}";

    private static string? Truncate(string? comment) => comment is { Length: > 64 } ? comment[..64] : comment;

    [LoggerMessage(Level = LogLevel.Warning, Message = "DICOM association from {CallingAe} at {Remote} rejected: {Reason}")]
    private partial void LogRejected(string callingAe, string? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "C-STORE of {SopInstanceUid} from {CallingAe} failed with status {Status:X4}: {Reason}")]
    private partial void LogStoreFailed(string callingAe, string sopInstanceUid, ushort status, string reason);
}
