namespace Mirc.Dicom.Deidentification;

/// <summary>Choices of a de-identification beyond the profile itself.</summary>
public sealed record DeidentifierOptions
{
    /// <summary>Instances with burned-in annotation (default: excluded).</summary>
    public BurnedInAnnotationPolicy BurnedInAnnotation { get; init; } = BurnedInAnnotationPolicy.Exclude;

    /// <summary>Private attributes kept (all others are removed); empty by default.</summary>
    public IReadOnlyCollection<PrivateAttribute> PrivateSafelist { get; init; } = [];
}
