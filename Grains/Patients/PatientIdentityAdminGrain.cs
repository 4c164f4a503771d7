using Mirc.Grains.Interfaces.Patients;
using Orleans.Concurrency;

namespace Mirc.Grains.Patients;

/// <summary>Manual link/unlink of local patient ids; each operation is recorded in the history of both patients involved.</summary>
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
        var index = GrainFactory.GetGrain<IPatientIdentityIndexGrain>(localId.IndexKey);
        var previous = await index.GetAsync();
        if (previous == patientId)
        {
            return previous;
        }

        var at = _clock.GetUtcNow();
        await index.SetAsync(patientId);
        if (previous is not null)
        {
            await GrainFactory.GetGrain<IPatientGrain>(previous).ApplyLinkEventAsync(new IdentityLinkEvent
            {
                Kind = IdentityLinkKind.ManualUnlink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = patientId,
            });
        }

        await GrainFactory.GetGrain<IPatientGrain>(patientId).ApplyLinkEventAsync(new IdentityLinkEvent
        {
            Kind = IdentityLinkKind.ManualLink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = previous,
        });
        return previous;
    }

    /// <inheritdoc />
    public async Task<string> UnlinkAsync(LocalPatientId localId, string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var index = GrainFactory.GetGrain<IPatientIdentityIndexGrain>(localId.IndexKey);
        var previous = await index.GetAsync();
        var fresh = RegionalPatientIds.New(_clock);
        var at = _clock.GetUtcNow();
        await index.SetAsync(fresh);
        if (previous is not null)
        {
            await GrainFactory.GetGrain<IPatientGrain>(previous).ApplyLinkEventAsync(new IdentityLinkEvent
            {
                Kind = IdentityLinkKind.ManualUnlink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = fresh,
            });
        }

        await GrainFactory.GetGrain<IPatientGrain>(fresh).ApplyLinkEventAsync(new IdentityLinkEvent
        {
            Kind = IdentityLinkKind.ManualLink, LocalId = localId, Actor = actor, At = at, Reason = reason, OtherPatientId = previous,
        });
        return fresh;
    }
}
