namespace Mirc.Grains.Ingest;

/// <summary>Who is storing: the hook for authorization and audit (security area).</summary>
public sealed record IngestCaller
{
    /// <summary>Establishment the instance comes from (resolved from the calling AE title or the HTTP principal).</summary>
    public required string EstablishmentId { get; init; }

    /// <summary>Calling AE title (DIMSE), or null.</summary>
    public string? CallingAeTitle { get; init; }

    /// <summary>Professional id (RPPS) of an authenticated HTTP user, or null.</summary>
    public string? ProfessionalId { get; init; }

    /// <summary>Remote address (for audit), or null.</summary>
    public string? RemoteAddress { get; init; }
}
