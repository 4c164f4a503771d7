namespace Mirc.Dicom.PixelData;

/// <summary>How a decoder laid out the native frame it produced: the pixel-module values to write next to it.</summary>
/// <param name="Photometric">Photometric Interpretation of the decoded samples (e.g. RGB after a JPEG YCbCr decode).</param>
/// <param name="IsPlanar">Planar Configuration 1.</param>
public readonly record struct DecodedFrameFormat(string Photometric, bool IsPlanar);
