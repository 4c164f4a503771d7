namespace Mirc.Grains.Interfaces.Studies;

/// <summary>What <see cref="IStudyGrain.DeleteAsync"/> did.</summary>
[GenerateSerializer, Immutable, Alias("mirc.StudyDeletion")]
public sealed record StudyDeletion
{
    /// <summary>False when the study had never received an instance (nothing to delete).</summary>
    [Id(0)] public bool Existed { get; init; }

    /// <summary>True when the study was already deleted before this call (the purge was re-run idempotently).</summary>
    [Id(1)] public bool WasAlreadyDeleted { get; init; }

    /// <summary>Regional patient id the study belonged to.</summary>
    [Id(2)] public string? PatientId { get; init; }

    /// <summary>Producing establishment.</summary>
    [Id(3)] public string? EstablishmentId { get; init; }

    /// <summary>Instance blobs removed.</summary>
    [Id(4)] public int InstancesRemoved { get; init; }

    /// <summary>Bytes freed.</summary>
    [Id(5)] public long BytesRemoved { get; init; }
}
