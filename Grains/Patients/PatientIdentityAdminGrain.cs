using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Storage.Blobs;
using Orleans.Concurrency;

namespace Mirc.Grains.Patients;

/// <summary>
/// Manual link/unlink of local patient ids; each operation is recorded in the history of both patients involved, and
/// the studies received under the local id move with it (study owner, patient references, query index).
/// </summary>
[StatelessWorker]
public sealed class PatientIdentityAdminGrain : Grain, IPatientIdentityAdminGrain
{
    private readonly TimeProvider _clock;

    /// <summary>Creates the grain.</summary>
    public PatientIdentityAdminGrain(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task<string?> LinkAsync(LocalPatientId localId, string patientId, string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var index = GrainFactory.Reference<IPatientIdentityIndexGrain>(localId.IndexKey);
        var previous = await index.GetAsync();
        if (previous == patientId)
        {
            return previous;
        }

        var at = _clock.GetUtcNow();
        await index.SetAsync(patientId);
        if (previous is not null)
        {
            await GrainFactory.Reference<IPatientGrain>(previous).ApplyLinkEventAsync(new IdentityLinkEvent
            {
                Kind = IdentityLinkKind.ManualUnlink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = patientId,
            });
        }

        await GrainFactory.Reference<IPatientGrain>(patientId).ApplyLinkEventAsync(new IdentityLinkEvent
        {
            Kind = IdentityLinkKind.ManualLink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = previous,
        });
        await AfterMoveAsync(localId, previous, patientId, actor, reason, at);
        return previous;
    }

    /// <inheritdoc />
    public async Task<string> UnlinkAsync(LocalPatientId localId, string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var index = GrainFactory.Reference<IPatientIdentityIndexGrain>(localId.IndexKey);
        var previous = await index.GetAsync();
        var fresh = RegionalPatientIds.New(_clock);
        var at = _clock.GetUtcNow();
        await index.SetAsync(fresh);
        if (previous is not null)
        {
            await GrainFactory.Reference<IPatientGrain>(previous).ApplyLinkEventAsync(new IdentityLinkEvent
            {
                Kind = IdentityLinkKind.ManualUnlink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = fresh,
            });
        }

        await GrainFactory.Reference<IPatientGrain>(fresh).ApplyLinkEventAsync(new IdentityLinkEvent
        {
            Kind = IdentityLinkKind.ManualLink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = previous,
        });
        await AfterMoveAsync(localId, previous, fresh, actor, reason, at);
        return fresh;
    }

    /// <summary>Forgets the silo's cached resolution of the local id, moves its studies and records the move on both patients.</summary>
    private async Task AfterMoveAsync(LocalPatientId localId, string? from, string to, string actor, string reason, DateTimeOffset at)
    {
        ServiceProvider.GetService<PatientResolutionCache>()?.Invalidate(localId);
        if (from is null)
        {
            return;
        }

        var mover = new PatientStudyMover(GrainFactory, ServiceProvider.GetRequiredService<IQueryIndex>(), ServiceProvider.GetRequiredService<IBlobStore>());
        var moved = await mover.MoveAsync(localId, from, to, CancellationToken.None);
        if (moved.Count == 0)
        {
            return;
        }

        var movedEvent = new IdentityLinkEvent { Kind = IdentityLinkKind.StudiesMoved, LocalId = localId, Actor = actor, At = at, Reason = reason, StudyUids = moved };
        await GrainFactory.Reference<IPatientGrain>(from).ApplyLinkEventAsync(movedEvent with { OtherPatientId = to });
        await GrainFactory.Reference<IPatientGrain>(to).ApplyLinkEventAsync(movedEvent with { OtherPatientId = from });
    }
}
