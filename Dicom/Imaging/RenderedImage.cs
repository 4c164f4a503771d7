namespace Mirc.Dicom.Imaging;

/// <summary>An 8-bit display image: grey (1 channel) or RGB (3 channels), rows top to bottom.</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">1 or 3.</param>
/// <param name="Pixels">Width × Height × Channels bytes.</param>
public sealed record RenderedImage(int Width, int Height, int Channels, byte[] Pixels);
