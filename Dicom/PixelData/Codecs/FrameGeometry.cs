namespace Mirc.Dicom.PixelData;

/// <summary>The Image Pixel module attributes that say how one native frame is laid out.</summary>
public sealed record FrameGeometry
{
    /// <summary>(0028,0010) Rows.</summary>
    public required int Rows { get; init; }
    /// <summary>(0028,0011) Columns.</summary>
    public required int Columns { get; init; }
    /// <summary>(0028,0002) Samples per Pixel.</summary>
    public int SamplesPerPixel { get; init; } = 1;
    /// <summary>(0028,0100) Bits Allocated: 8, 16 or 32 (32 only native or RLE, e.g. an RT Dose grid).</summary>
    public required int BitsAllocated { get; init; }
    /// <summary>(0028,0101) Bits Stored.</summary>
    public required int BitsStored { get; init; }
    /// <summary>(0028,0103) Pixel Representation is 1.</summary>
    public bool IsSigned { get; init; }
    /// <summary>(0028,0006) Planar Configuration is 1 (colour-by-plane).</summary>
    public bool IsPlanar { get; init; }
    /// <summary>(0028,0004) Photometric Interpretation.</summary>
    public string Photometric { get; init; } = "MONOCHROME2";
    /// <summary>(0028,0008) Number of Frames (1 when absent).</summary>
    public int NumberOfFrames { get; init; } = 1;

    /// <summary>Bytes per sample in a native frame.</summary>
    public int BytesPerSample => BitsAllocated <= 8 ? 1 : BitsAllocated <= 16 ? 2 : 4;

    /// <summary>Bytes of one decoded frame: every pixel with all its samples (what the codecs and the renderer take).</summary>
    public int FrameLength => checked(Rows * Columns * SamplesPerPixel * BytesPerSample);

    /// <summary>
    /// Native (uncompressed) YBR_FULL_422: two luminance samples share one Cb and one Cr (Y Y Cb Cr per pair of pixels,
    /// PS3.3 C.7.6.3.1.2), so a stored frame has two samples per pixel, not three.
    /// </summary>
    public bool IsNativeSubsampled => StoredSamplesPerPixel(SamplesPerPixel, Photometric) != SamplesPerPixel;

    /// <summary>Bytes of one frame as an uncompressed syntax stores it (<see cref="FrameLength"/> but for YBR_FULL_422).</summary>
    public int StoredNativeFrameLength => checked(Rows * Columns * StoredSamplesPerPixel(SamplesPerPixel, Photometric) * BytesPerSample);

    /// <summary>Samples an uncompressed syntax stores per pixel: two for YBR_FULL_422 (one Cb and one Cr per pair), else all.</summary>
    internal static int StoredSamplesPerPixel(int samplesPerPixel, string? photometric) =>
        samplesPerPixel == 3 && photometric == "YBR_FULL_422" ? 2 : samplesPerPixel;

    /// <summary>
    /// A stored native frame as whole pixels: YBR_FULL_422 upsampled to YBR_FULL (each pixel of a pair takes the pair's Cb
    /// and Cr), any other frame as it is.
    /// </summary>
    /// <exception cref="DicomFormatException">A YBR_FULL_422 frame with an odd number of columns or planar samples.</exception>
    public (byte[] Samples, FrameGeometry Geometry) WholePixels(ReadOnlySpan<byte> storedFrame)
    {
        if (!IsNativeSubsampled) return (storedFrame[..FrameLength].ToArray(), this);
        if (Columns % 2 != 0 || IsPlanar)
            throw new DicomFormatException($"native YBR_FULL_422 needs an even number of columns and Planar Configuration 0 (Columns {Columns}, planar {IsPlanar})");
        int size = BytesPerSample, pairs = Rows * Columns / 2;
        var whole = new byte[FrameLength];
        for (int p = 0; p < pairs; p++)
        {
            var pair = storedFrame.Slice(p * 4 * size, 4 * size); // Y1 Y2 Cb Cr
            var first = whole.AsSpan(p * 6 * size, 6 * size);    // Y1 Cb Cr Y2 Cb Cr
            pair[..size].CopyTo(first);
            pair.Slice(2 * size, 2 * size).CopyTo(first[size..]);
            pair.Slice(size, size).CopyTo(first[(3 * size)..]);
            pair.Slice(2 * size, 2 * size).CopyTo(first[(4 * size)..]);
        }
        return (whole, this with { Photometric = "YBR_FULL" });
    }

    /// <summary>Reads the geometry from a data set.</summary>
    /// <exception cref="DicomFormatException">Rows, Columns or Bits Allocated missing or out of range.</exception>
    public static FrameGeometry From(DicomDataset dataset)
    {
        int rows = dataset.GetInt32OrDefault(DicomTag.Rows, 0), columns = dataset.GetInt32OrDefault(DicomTag.Columns, 0);
        int allocated = dataset.GetInt32OrDefault(DicomTag.BitsAllocated, 0);
        if (rows <= 0 || columns <= 0 || allocated is not (8 or 16 or 32))
            throw new DicomFormatException($"pixel module not decodable: Rows {rows}, Columns {columns}, Bits Allocated {allocated} (8, 16 or 32 supported)");
        int samples = dataset.GetInt32OrDefault(DicomTag.SamplesPerPixel, 1);
        if (samples is not (1 or 3)) throw new DicomFormatException($"Samples per Pixel {samples} not supported (1 or 3)");
        return new FrameGeometry
        {
            Rows = rows,
            Columns = columns,
            SamplesPerPixel = samples,
            BitsAllocated = allocated,
            BitsStored = Math.Clamp(dataset.GetInt32OrDefault(DicomTag.BitsStored, allocated), 1, allocated),
            IsSigned = dataset.GetInt32OrDefault(DicomTag.PixelRepresentation, 0) == 1,
            IsPlanar = samples > 1 && dataset.GetInt32OrDefault(DicomTag.PlanarConfiguration, 0) == 1,
            Photometric = (dataset.GetStringOrDefault(DicomTag.PhotometricInterpretation) ?? (samples == 1 ? "MONOCHROME2" : "RGB")).Trim(),
            NumberOfFrames = Math.Max(1, dataset.GetInt32OrDefault(DicomTag.NumberOfFrames, 1)),
        };
    }
}
