using Mirc.Dicom.PixelData;
using Xunit;

namespace Mirc.Dicom.Tests.PixelData;

/// <summary>The sample values of native pixel data, as the codec and corpus tests compare them.</summary>
internal static class NativeSamples
{
    /// <summary>
    /// Every sample of every frame (8, 16 or 32 bits allocated), masked to Bits Stored — the high bits of a container
    /// are not pixel data — and sign-extended when Pixel Representation is 1.
    /// </summary>
    public static long[] Of(DicomDataset ds)
    {
        Assert.True(ds.TryGetBytes(DicomTag.PixelData, out var bytes), "no native pixel data");
        var geometry = FrameGeometry.From(ds);
        int size = geometry.BytesPerSample, bits = geometry.BitsStored;
        var span = bytes.Span[..(geometry.FrameLength * geometry.NumberOfFrames)];
        var samples = new long[span.Length / size];
        for (int i = 0; i < samples.Length; i++)
        {
            ulong raw = 0;
            for (int b = size - 1; b >= 0; b--) raw = raw << 8 | span[i * size + b];
            raw &= bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
            samples[i] = geometry.IsSigned && (raw >> (bits - 1) & 1) == 1 ? (long)raw - (1L << bits) : (long)raw;
        }
        return samples;
    }
}
