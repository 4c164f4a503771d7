namespace Mirc.Dicom.Deidentification;

/// <summary>What became of one instance.</summary>
public enum DeidentificationOutcome
{
    /// <summary>De-identified: <see cref="DeidentificationResult.File"/> holds it.</summary>
    Deidentified = 0,

    /// <summary>De-identified, but its pixels carry burned-in annotation: someone must look before it is used.</summary>
    DeidentifiedWithBurnedInAnnotation = 1,

    /// <summary>Not exported: burned-in annotation and <see cref="BurnedInAnnotationPolicy.Exclude"/>.</summary>
    ExcludedBurnedInAnnotation = 2,
}
