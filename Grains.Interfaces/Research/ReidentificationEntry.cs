namespace Mirc.Grains.Interfaces.Research;

/// <summary>One row of a project's re-identification table.</summary>
/// <param name="Pseudonym">Patient ID / name written in the exported files.</param>
/// <param name="PatientReference">The archive's patient (regional id).</param>
[GenerateSerializer, Immutable, Alias("mirc.ReidentificationEntry")]
public sealed record ReidentificationEntry([property: Id(0)] string Pseudonym, [property: Id(1)] string PatientReference);
