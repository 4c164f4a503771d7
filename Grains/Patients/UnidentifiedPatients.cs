using Microsoft.Extensions.Logging;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Patients;

/// <summary>
/// Studies received without a Patient ID (type 2, empty or absent) belong to a provisional patient of the producing
/// establishment: its local id is <c>(establishment, "", ~study~&lt;Study Instance UID&gt;)</c>, so two unidentified
/// patients are never merged, and the study stays visible to that establishment only (no other establishment has a
/// care relationship or share on a patient nobody else knows). Reconciling links that provisional local id to the
/// right patient, which moves the study with it (study owner, patient references, query index) — on request of an
/// operator, or when a later instance of the same study arrives with an identity.
/// </summary>
public sealed partial class UnidentifiedPatients
{
    private const string Marker = "~study~";
    private readonly IGrainFactory _grains;
    private readonly IQueryIndex _index;
    private readonly IBlobStore _blobs;
    private readonly ILogger<UnidentifiedPatients> _logger;

    /// <summary>Creates the service.</summary>
    public UnidentifiedPatients(IGrainFactory grains, IQueryIndex index, IBlobStore blobs, ILogger<UnidentifiedPatients> logger)
    {
        _grains = grains;
        _index = index;
        _blobs = blobs;
        _logger = logger;
    }

    /// <summary>The provisional local id of the unidentified patient of <paramref name="studyInstanceUid"/> at <paramref name="establishmentId"/>.</summary>
    public static LocalPatientId ProvisionalId(string establishmentId, string studyInstanceUid) => new(establishmentId, string.Empty, Marker + studyInstanceUid);

    /// <summary>Whether <paramref name="localId"/> is a provisional (unidentified) one.</summary>
    public static bool IsProvisional(LocalPatientId localId) => localId.PatientId.StartsWith(Marker, StringComparison.Ordinal);

    /// <summary>The provisional patient currently holding the study, or null when the study is identified (or unknown).</summary>
    public async Task<string?> FindProvisionalOwnerAsync(string studyInstanceUid)
    {
        var summary = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync();
        if (summary.PatientId is not { } owner || summary.EstablishmentId is not { } establishment)
        {
            return null;
        }

        var provisional = await _grains.Reference<IPatientIdentityIndexGrain>(ProvisionalId(establishment, studyInstanceUid).IndexKey).GetAsync();
        if (provisional != owner)
        {
            return null;
        }

        // Once reconciled, the provisional id points to the identified patient, which has identities of its own.
        var record = await _grains.Reference<IPatientGrain>(owner).GetAsync();
        return record.LocalIds.All(IsProvisional) ? owner : null;
    }

    /// <summary>
    /// Moves an unidentified study to <paramref name="patientId"/>: links the study's provisional local id to it (recorded
    /// in both patients' histories by <see cref="IPatientIdentityAdminGrain"/>) and re-records the study in the query index
    /// under the target's identity. Returns the provisional patient it left, or null when the study is not unidentified.
    /// </summary>
    public async Task<string?> ReconcileAsync(string studyInstanceUid, string patientId, string actor, string reason, CancellationToken cancellationToken)
    {
        var summary = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync().WaitAsync(cancellationToken);
        var owner = await FindProvisionalOwnerAsync(studyInstanceUid).WaitAsync(cancellationToken);
        if (owner is null || summary.EstablishmentId is not { } establishment)
        {
            return null;
        }

        await _grains.GetGrain<IPatientIdentityAdminGrain>(0).LinkAsync(ProvisionalId(establishment, studyInstanceUid), patientId, actor, reason).WaitAsync(cancellationToken);
        await ReindexUnderAsync(studyInstanceUid, patientId, establishment, cancellationToken);
        LogReconciled(_logger, studyInstanceUid, owner, patientId, actor);
        return owner;
    }

    /// <summary>
    /// At ingest: an identified instance (resolved to <paramref name="regional"/>) of a study held by
    /// <paramref name="owner"/>. True when the owner was the study's provisional patient and the study now belongs to
    /// <paramref name="regional"/>; false when the study is identified (a real mismatch).
    /// </summary>
    internal async Task<bool> ReconcileOnArrivalAsync(string studyInstanceUid, string owner, string regional, string sopInstanceUid)
    {
        if (await FindProvisionalOwnerAsync(studyInstanceUid) != owner)
        {
            return false;
        }

        // The arriving instance re-records the study in the index under its own identity right after.
        var summary = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync();
        await _grains.GetGrain<IPatientIdentityAdminGrain>(0).LinkAsync(ProvisionalId(summary.EstablishmentId!, studyInstanceUid), regional, PatientGrain.IngestActor, $"Identity received with instance {sopInstanceUid}");
        LogReconciled(_logger, studyInstanceUid, owner, regional, PatientGrain.IngestActor);
        return true;
    }

    /// <summary>The index row of an unidentified study names no Patient ID: re-record one instance with the target's identity.</summary>
    private async Task ReindexUnderAsync(string studyInstanceUid, string patientId, string establishmentId, CancellationToken cancellationToken)
    {
        var instances = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetInstancesAsync().WaitAsync(cancellationToken);
        var record = await _grains.Reference<IPatientGrain>(patientId).GetAsync().WaitAsync(cancellationToken);
        var identity = record.LocalIds.Where(l => !IsProvisional(l)).OrderBy(l => l.EstablishmentId == establishmentId ? 0 : 1).FirstOrDefault();
        if (instances.Count == 0 || identity is null)
        {
            return;
        }

        var entry = instances[0];
        var key = new BlobKey(entry.BlobContainer, entry.BlobName);
        InstanceHeader header;
        await using (var stream = await _blobs.OpenReadAsync(key, null, cancellationToken))
        {
            header = await InstanceHeaderReader.ReadAsync(stream, cancellationToken);
        }

        var stored = new StoredInstance(header, key, entry.Size, entry.Digest, entry.EstablishmentId, entry.ReceivedAt);
        await _index.UpsertInstanceAsync(stored.ToIndexed(patientId) with
        {
            PatientId = identity.PatientId,
            IssuerOfPatientId = string.IsNullOrEmpty(identity.Issuer) ? null : identity.Issuer,
            PatientName = record.Demographics.Name ?? header.PatientName,
            PatientBirthDate = record.Demographics.BirthDate ?? header.PatientBirthDate,
            PatientSex = record.Demographics.Sex ?? header.PatientSex,
        }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unidentified study {StudyUid} reconciled: provisional patient {Provisional} → {PatientId} by {Actor}")]
    private static partial void LogReconciled(ILogger logger, string studyUid, string provisional, string patientId, string actor);
}
