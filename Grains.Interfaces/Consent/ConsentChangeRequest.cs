namespace Mirc.Grains.Interfaces.Consent;

/// <summary>A consent change recorded on behalf of the patient.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ConsentChangeRequest")]
public sealed record ConsentChangeRequest
{
    /// <summary>What changes.</summary>
    [Id(0)] public required ConsentChangeKind Kind { get; init; }

    /// <summary>Target establishment for <see cref="ConsentChangeKind.RefuseEstablishment"/> / <see cref="ConsentChangeKind.AllowEstablishment"/>.</summary>
    [Id(1)] public string? EstablishmentId { get; init; }

    /// <summary>Why (e.g. "patient request at reception, signed form 2026-11-24"). Required.</summary>
    [Id(2)] public required string Reason { get; init; }

    /// <summary>Where the request was made from (client IP / channel), for the audit trail.</summary>
    [Id(3)] public string? Source { get; init; }
}
