namespace Mirc.Dicom.Deidentification;

/// <summary>What happens to an instance whose pixels carry burned-in text (Burned In Annotation = YES).</summary>
public enum BurnedInAnnotationPolicy
{
    /// <summary>Not de-identified, not exported (the pixels may show the patient's name): the secure default.</summary>
    Exclude = 0,

    /// <summary>De-identified and exported, and reported so that someone checks the pixels.</summary>
    Flag = 1,
}
