namespace Mirc.Dicom.PixelData;

/// <summary>
/// YBR_FULL (full-range YCbCr, JFIF's and PS3.3 C.7.6.3.1.2's) to RGB, one component at a time: the JPEG decoder,
/// the renderer and the JPEG Baseline encoder's input use the same coefficients. <c>cb</c> and <c>cr</c> are centred on
/// zero (the stored value minus half the range); results are unrounded and unclamped.
/// </summary>
internal static class YbrFullColor
{
    public static double Red(double y, double cr) => y + 1.402 * cr;

    public static double Green(double y, double cb, double cr) => y - 0.344136 * cb - 0.714136 * cr;

    public static double Blue(double y, double cb) => y + 1.772 * cb;
}
