namespace Mirc.Grains.Interfaces.Audit;

/// <summary>One line of the patient-facing report "who accessed my images".</summary>
/// <param name="At">When.</param>
/// <param name="Action">Query, retrieve, break-the-glass…</param>
/// <param name="Who">Professional (display subject / RPPS).</param>
/// <param name="EstablishmentId">For which establishment.</param>
/// <param name="StudyUids">Studies concerned.</param>
/// <param name="Emergency">True for a break-the-glass access.</param>
[GenerateSerializer, Immutable, Alias("mirc.PatientAccessEntry")]
public sealed record PatientAccessEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] AuditAction Action,
    [property: Id(2)] string Who,
    [property: Id(3)] string? EstablishmentId,
    [property: Id(4)] IReadOnlyList<string> StudyUids,
    [property: Id(5)] bool Emergency);
