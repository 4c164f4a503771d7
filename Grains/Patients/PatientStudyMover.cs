using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Patients;

/// <summary>
/// After a manual link/unlink moves a local id to another regional patient, moves the studies received under that
/// local id with it: the study grain's owner, the target's then the source's study references (in that order, so a
/// crash leaves a study listed twice rather than nowhere), and the query index's regional patient id (re-recorded
/// from the stored header of one instance per study). Returns the moved Study Instance UIDs.
/// </summary>
internal sealed class PatientStudyMover
{
    private readonly IGrainFactory _grains;
    private readonly IQueryIndex _index;
    private readonly IBlobStore _blobs;

    public PatientStudyMover(IGrainFactory grains, IQueryIndex index, IBlobStore blobs)
    {
        _grains = grains;
        _index = index;
        _blobs = blobs;
    }

    public async Task<IReadOnlyList<string>> MoveAsync(LocalPatientId localId, string fromPatientId, string toPatientId, CancellationToken cancellationToken)
    {
        var source = _grains.Reference<IPatientGrain>(fromPatientId);
        var target = _grains.Reference<IPatientGrain>(toPatientId);
        var record = await source.GetAsync().WaitAsync(cancellationToken);
        var moved = new List<string>();
        foreach (var reference in record.Studies)
        {
            if (!BelongsTo(reference, localId, record.LocalIds))
            {
                continue;
            }

            await _grains.Reference<IStudyGrain>(reference.StudyInstanceUid).ReassignPatientAsync(toPatientId).WaitAsync(cancellationToken);
            await target.UpsertStudyAsync(reference with { LocalId = localId }).WaitAsync(cancellationToken);
            await ReindexAsync(reference.StudyInstanceUid, toPatientId, cancellationToken);
            await source.RemoveStudyAsync(reference.StudyInstanceUid).WaitAsync(cancellationToken);
            moved.Add(reference.StudyInstanceUid);
        }

        return moved;
    }

    /// <summary>
    /// A reference recorded with its local id matches exactly; an older one without it matches when it comes from the
    /// local id's establishment and the source patient has no other local id there (the only possible origin).
    /// </summary>
    private static bool BelongsTo(StudyReference reference, LocalPatientId localId, IReadOnlyList<LocalPatientId> remaining) =>
        reference.LocalId is { } known
            ? known == localId
            : string.Equals(reference.EstablishmentId, localId.EstablishmentId, StringComparison.Ordinal)
              && !remaining.Any(l => string.Equals(l.EstablishmentId, localId.EstablishmentId, StringComparison.Ordinal));

    private async Task ReindexAsync(string studyInstanceUid, string regionalPatientId, CancellationToken cancellationToken)
    {
        var instances = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetInstancesAsync().WaitAsync(cancellationToken);
        if (instances.Count == 0)
        {
            return;
        }

        // The index keeps the regional id on its patient row: re-recording one instance updates it for the study.
        var entry = instances[0];
        var key = new BlobKey(entry.BlobContainer, entry.BlobName);
        InstanceHeader header;
        await using (var stream = await _blobs.OpenReadAsync(key, null, cancellationToken))
        {
            header = await InstanceHeaderReader.ReadAsync(stream, cancellationToken);
        }

        var stored = new StoredInstance(header, key, entry.Size, entry.Digest, entry.EstablishmentId, entry.ReceivedAt);
        await _index.UpsertInstanceAsync(stored.ToIndexed(regionalPatientId), cancellationToken);
    }
}
