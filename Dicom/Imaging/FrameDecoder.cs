using Mirc.Dicom.PixelData;

namespace Mirc.Dicom.Imaging;

/// <summary>One frame of an instance as native little-endian samples, decoding only that frame when compressed.</summary>
public static class FrameDecoder
{
    /// <summary>Decodes frame <paramref name="frameIndex"/> (zero-based) of <paramref name="dataset"/> stored in <paramref name="syntax"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such frame.</exception>
    /// <exception cref="NotSupportedException">No decoder for the syntax.</exception>
    /// <exception cref="DicomFormatException">The pixel data is missing or corrupt.</exception>
    public static (byte[] Samples, FrameGeometry Geometry) Decode(DicomDataset dataset, DicomTransferSyntax syntax, int frameIndex)
    {
        var geometry = FrameGeometry.From(dataset);
        if (frameIndex < 0 || frameIndex >= geometry.NumberOfFrames)
            throw new ArgumentOutOfRangeException(nameof(frameIndex), $"frame {frameIndex + 1} does not exist; the instance has {geometry.NumberOfFrames}");
        var pixel = dataset[DicomTag.PixelData] ?? throw new DicomFormatException("the instance has no Pixel Data");
        if (!syntax.IsEncapsulated)
        {
            int length = geometry.StoredNativeFrameLength;
            long start = (long)frameIndex * length;
            if (pixel.Buffer.Length < start + length)
                throw new DicomFormatException($"native pixel data holds {pixel.Buffer.Length} bytes, frame {frameIndex + 1} needs {start + length}");
            // A read data set holds its values little endian whatever the syntax: nothing left to swap.
            return Decode(pixel.Buffer.Span.Slice((int)start, length), geometry, DicomTransferSyntax.ExplicitVRLittleEndian);
        }
        var fragments = pixel as DicomFragmentSequence ?? throw new DicomFormatException("encapsulated transfer syntax without encapsulated pixel data");
        return Decode(DicomTranscoder.FrameOf(fragments, frameIndex, geometry.NumberOfFrames), geometry, syntax);
    }

    /// <summary>
    /// Decodes the bytes of one frame read on its own (native: the raw samples; encapsulated: its fragment values
    /// concatenated), so a large multi-frame instance is never loaded whole.
    /// </summary>
    public static (byte[] Samples, FrameGeometry Geometry) Decode(ReadOnlySpan<byte> frame, FrameGeometry geometry, DicomTransferSyntax syntax)
    {
        if (!syntax.IsEncapsulated)
        {
            if (frame.Length < geometry.StoredNativeFrameLength)
                throw new DicomFormatException($"native frame holds {frame.Length} bytes, the pixel module needs {geometry.StoredNativeFrameLength}");
            var (samples, whole) = geometry.WholePixels(frame);
            if (syntax.IsBigEndian && geometry.BytesPerSample > 1)
            {
                for (int i = 0; i + geometry.BytesPerSample <= samples.Length; i += geometry.BytesPerSample) samples.AsSpan(i, geometry.BytesPerSample).Reverse();
            }
            return (samples, whole);
        }
        var codec = PixelFrameCodecs.Find(syntax.Uid) ?? throw new NotSupportedException($"no decoder for transfer syntax {syntax.Uid}");
        var native = new byte[geometry.FrameLength];
        var format = codec.Decode(frame, geometry, native);
        return (native, geometry with { Photometric = format.Photometric, IsPlanar = format.IsPlanar });
    }
}
