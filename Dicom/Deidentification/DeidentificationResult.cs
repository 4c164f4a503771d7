namespace Mirc.Dicom.Deidentification;

/// <summary>Result of de-identifying one instance.</summary>
/// <param name="Outcome">What became of it.</param>
/// <param name="File">The de-identified file, or null when excluded.</param>
public sealed record DeidentificationResult(DeidentificationOutcome Outcome, DicomFile? File);
