namespace Mirc.Dicom.Imaging;

/// <summary>
/// Where an enhanced multi-frame image (Enhanced CT / MR / XA…, PS3.3 C.7.6.16) keeps what a classic image has at the
/// top level: the frame's item of a functional group — in the Per-Frame Functional Groups Sequence, else the Shared one
/// — else, for a classic image, the data set itself.
/// </summary>
internal static class FrameFunctionalGroups
{
    /// <summary>
    /// The data set holding <paramref name="group"/>'s attributes for frame <paramref name="frameIndex"/> (zero-based):
    /// the group's item in that frame's per-frame item, else in the shared item, else <paramref name="dataset"/>.
    /// </summary>
    public static DicomDataset For(DicomDataset dataset, int frameIndex, DicomTag group)
    {
        var perFrame = dataset.GetSequenceItems(DicomTag.PerFrameFunctionalGroupsSequence);
        if (frameIndex < perFrame.Count && perFrame[frameIndex].GetSequenceItems(group) is [var own, ..]) return own;
        if (dataset.GetSequenceItems(DicomTag.SharedFunctionalGroupsSequence) is [var shared, ..] && shared.GetSequenceItems(group) is [var common, ..]) return common;
        return dataset;
    }
}
