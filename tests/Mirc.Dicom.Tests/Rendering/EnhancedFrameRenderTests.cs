using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Codecs;
using Xunit;

namespace Mirc.Dicom.Tests.Rendering;

/// <summary>
/// An enhanced multi-frame image (Enhanced CT / MR) keeps its rescale and window in functional groups, per frame or
/// shared, not at the top level: rendered, each frame must look as the same pixels do in a classic image carrying those
/// values at the top level (whose rendering the corpus tests compare with dcmj2pnm's).
/// </summary>
public sealed class EnhancedFrameRenderTests
{
    private static readonly VoiWindow Lung = new(-600, 1500);

    [Fact]
    public void Each_frame_is_rendered_with_its_own_window_and_the_shared_rescale()
    {
        var classic = CodecImages.Monochrome(40, 48, 12, signed: false, frames: 2).Dataset; // intercept -1024, window 40/400
        var enhanced = Enhanced(classic);

        Assert.Equal(Render(classic, 0, null), Render(enhanced, 0, null));
        Assert.Equal(Render(classic, 1, Lung), Render(enhanced, 1, null));
        Assert.NotEqual(Render(enhanced, 0, null), Render(enhanced, 1, null)); // each frame's own window, not the first's
    }

    [Fact]
    public void A_requested_window_applies_to_values_rescaled_by_the_frame_group()
    {
        var classic = CodecImages.Monochrome(40, 48, 12, signed: false, frames: 2).Dataset;
        var enhanced = Enhanced(classic);

        // In modality units (HU): without the shared intercept of -1024 the same window would show other tissue.
        Assert.Equal(Render(classic, 1, Lung), Render(enhanced, 1, Lung));
    }

    // The classic image as an enhanced one: rescale in the shared groups, the window of frame 1 in its own.
    private static DicomDataset Enhanced(DicomDataset classic)
    {
        var enhanced = classic.Clone();
        foreach (var tag in new[] { DicomTag.RescaleIntercept, DicomTag.RescaleSlope, DicomTag.WindowCenter, DicomTag.WindowWidth }) enhanced.Remove(tag);
        var rescale = new DicomDataset().Set(DicomTag.RescaleIntercept, "-1024").Set(DicomTag.RescaleSlope, "1").Set(DicomTag.RescaleType, "HU");
        var shared = new DicomDataset();
        shared.SetSequence(DicomTag.PixelValueTransformationSequence, rescale);
        enhanced.SetSequence(DicomTag.SharedFunctionalGroupsSequence, shared);
        var frame0 = new DicomDataset();
        frame0.SetSequence(DicomTag.FrameVOILUTSequence, new DicomDataset().Set(DicomTag.WindowCenter, "40").Set(DicomTag.WindowWidth, "400"));
        var frame1 = new DicomDataset();
        frame1.SetSequence(DicomTag.FrameVOILUTSequence, new DicomDataset().Set(DicomTag.WindowCenter, "-600").Set(DicomTag.WindowWidth, "1500"));
        enhanced.SetSequence(DicomTag.PerFrameFunctionalGroupsSequence, frame0, frame1);
        return enhanced;
    }

    private static byte[] Render(DicomDataset dataset, int frame, VoiWindow? window)
    {
        var (samples, geometry) = FrameDecoder.Decode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian, frame);
        var options = new RenderOptions { Window = window };
        // A classic image has one window for all frames: frame 1 of it is shown with the window asked for.
        return FrameRenderer.Render(dataset, samples, geometry, options, frame).Pixels;
    }
}
