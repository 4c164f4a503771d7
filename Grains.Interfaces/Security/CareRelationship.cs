namespace Mirc.Grains.Interfaces.Security;

/// <summary>A declared link between a professional and a patient that makes shared studies visible until it expires.</summary>
[GenerateSerializer, Immutable, Alias("mirc.CareRelationship")]
public sealed record CareRelationship
{
    /// <summary>Professional id (RPPS or subject): the grain key.</summary>
    [Id(0)] public required string ProfessionalId { get; init; }

    /// <summary>Regional patient id.</summary>
    [Id(1)] public required string PatientId { get; init; }

    /// <summary>Why the relationship was declared (or the emergency reason for break-the-glass).</summary>
    [Id(2)] public required string Reason { get; init; }

    /// <summary>When it was declared.</summary>
    [Id(3)] public DateTimeOffset DeclaredAt { get; init; }

    /// <summary>When it stops granting access.</summary>
    [Id(4)] public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>True for an emergency (break-the-glass) access, which is flagged for review.</summary>
    [Id(5)] public bool IsEmergency { get; init; }

    /// <summary>Establishment the professional acted for when declaring.</summary>
    [Id(6)] public string? EstablishmentId { get; init; }

    /// <summary>Whether the relationship still grants access at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => now < ExpiresAt;
}
