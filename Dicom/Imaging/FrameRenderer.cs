using System.Buffers.Binary;
using System.Globalization;
using Mirc.Dicom.PixelData;

namespace Mirc.Dicom.Imaging;

/// <summary>
/// Turns a native frame into an 8-bit display image: Modality LUT (rescale slope / intercept, else a Modality LUT
/// Sequence's table), VOI (the request's window, else the data set's — an enhanced image's per-frame functional groups
/// first —, else its VOI LUT Sequence's table, else the frame's range), MONOCHROME1 or INVERSE presentation inversion,
/// YBR_FULL to RGB, PALETTE COLOR through its palette, then a box-filtered reduction to the viewport. Only the output
/// image and one row of sums are allocated besides the frame.
/// </summary>
public static class FrameRenderer
{
    /// <summary>
    /// Decodes and renders one stored frame (its bytes as <see cref="FrameDecoder.Decode(ReadOnlySpan{byte}, FrameGeometry, DicomTransferSyntax)"/>
    /// takes them). When the output is smaller than the frame, a codec that can decode a reduced resolution (JPEG 2000)
    /// decodes only what the output needs: a thumbnail costs a fraction of a full decode.
    /// </summary>
    /// <exception cref="NotSupportedException">No decoder for the syntax, or a photometric interpretation that cannot be shown.</exception>
    /// <exception cref="DicomFormatException">The frame is corrupt.</exception>
    /// <remarks><paramref name="frameIndex"/> (zero-based) selects an enhanced image's per-frame rescale and window.</remarks>
    public static RenderedImage RenderStored(DicomDataset dataset, ReadOnlySpan<byte> frame, FrameGeometry geometry, DicomTransferSyntax syntax, RenderOptions options, int frameIndex = 0)
    {
        RequireRenderable(geometry);
        var (width, height) = OutputSize(geometry.Columns, geometry.Rows, options);
        if (!syntax.IsEncapsulated || (width == geometry.Columns && height == geometry.Rows))
        {
            var (samples, decoded) = FrameDecoder.Decode(frame, geometry, syntax);
            return Render(dataset, frameIndex, samples, decoded, width, height, options.Window);
        }
        var codec = PixelFrameCodecs.Find(syntax.Uid) ?? throw new NotSupportedException($"no decoder for transfer syntax {syntax.Uid}");
        var (reducedSamples, reduced) = codec.DecodeAtLeast(frame, geometry, width, height);
        return Render(dataset, frameIndex, reducedSamples, reduced, width, height, options.Window);
    }

    /// <summary>Renders one decoded frame of <paramref name="dataset"/>.</summary>
    /// <remarks><paramref name="frameIndex"/> (zero-based) selects an enhanced image's per-frame rescale and window.</remarks>
    /// <exception cref="NotSupportedException">A photometric interpretation that cannot be shown (e.g. a segmented palette).</exception>
    public static RenderedImage Render(DicomDataset dataset, byte[] samples, FrameGeometry geometry, RenderOptions options, int frameIndex = 0)
    {
        var (width, height) = OutputSize(geometry.Columns, geometry.Rows, options);
        return Render(dataset, frameIndex, samples, geometry, width, height, options.Window);
    }

    /// <summary>Renders a decoded frame (possibly decoded at a reduced resolution) into exactly width × height.</summary>
    private static RenderedImage Render(DicomDataset dataset, int frameIndex, byte[] samples, FrameGeometry geometry, int width, int height, VoiWindow? window)
    {
        RequireRenderable(geometry);
        if (geometry.SamplesPerPixel == 1 && geometry.Photometric == "PALETTE COLOR")
        {
            var palette = PaletteColorLut.From(dataset, geometry.IsSigned);
            return Reduce(geometry, width, height, 3, (x, y, c) => palette.Map(StoredValue(samples, geometry, y * geometry.Columns + x), c));
        }
        if (geometry.SamplesPerPixel == 1)
        {
            if (geometry.Photometric is not ("MONOCHROME1" or "MONOCHROME2"))
                throw new NotSupportedException($"photometric interpretation {geometry.Photometric} cannot be rendered");
            var lut = GreyLut(dataset, frameIndex, samples, geometry, window);
            return Reduce(geometry, width, height, 1, (x, y, _) => lut[StoredValue(samples, geometry, y * geometry.Columns + x)]);
        }
        if (geometry.Photometric is not ("RGB" or "YBR_FULL"))
            throw new NotSupportedException($"photometric interpretation {geometry.Photometric} cannot be rendered");
        bool ybr = geometry.Photometric == "YBR_FULL";
        int shift = geometry.BitsStored > 8 ? geometry.BitsStored - 8 : 0;
        return Reduce(geometry, width, height, 3, (x, y, c) =>
        {
            int p = y * geometry.Columns + x;
            if (!ybr) return (byte)(Sample(samples, geometry, p, c) >> shift);
            double l = Sample(samples, geometry, p, 0) >> shift, b = (Sample(samples, geometry, p, 1) >> shift) - 128.0, r = (Sample(samples, geometry, p, 2) >> shift) - 128.0;
            double v = c switch { 0 => YbrFullColor.Red(l, r), 1 => YbrFullColor.Green(l, b, r), _ => YbrFullColor.Blue(l, b) };
            return (byte)Math.Clamp((int)Math.Round(v), 0, 255);
        });
    }

    // Colour is shown 8 bits per sample from up to 16; a 32-bit colour frame has no display convention to follow.
    private static void RequireRenderable(FrameGeometry geometry)
    {
        if (geometry.SamplesPerPixel > 1 && geometry.BitsAllocated > 16)
            throw new NotSupportedException($"colour frames of {geometry.BitsAllocated}-bit samples are not rendered (8 or 16 bits are); retrieve them as DICOM");
    }

    /// <summary>The output size: the frame scaled down (never up) to fit the viewport, aspect ratio kept.</summary>
    public static (int Width, int Height) OutputSize(int columns, int rows, RenderOptions options)
    {
        double scale = 1;
        if (options.MaxWidth is { } w && w < columns) scale = Math.Min(scale, (double)w / columns);
        if (options.MaxHeight is { } h && h < rows) scale = Math.Min(scale, (double)h / rows);
        return (Math.Max(1, (int)Math.Round(columns * scale)), Math.Max(1, (int)Math.Round(rows * scale)));
    }

    /// <summary>
    /// Stored grey value → display byte: a table over every stored value up to 16 bits stored; above (a 32-bit RT Dose
    /// grid would need 2^32 entries) the same mapping computed per pixel.
    /// </summary>
    private sealed class GreyTable(long offset, byte[]? table, Func<long, byte> display)
    {
        public byte this[long stored] => table is null ? display(stored) : table[Math.Clamp(stored - offset, 0, table.Length - 1)];
    }

    private static GreyTable GreyLut(DicomDataset dataset, int frameIndex, byte[] samples, FrameGeometry geometry, VoiWindow? requested)
    {
        // An enhanced image keeps its rescale and window per frame (functional groups), a classic one at the top level.
        var modality = FrameFunctionalGroups.For(dataset, frameIndex, DicomTag.PixelValueTransformationSequence);
        double? rescaleSlope = Number(modality, DicomTag.RescaleSlope), rescaleIntercept = Number(modality, DicomTag.RescaleIntercept);
        double slope = rescaleSlope ?? 1, intercept = rescaleIntercept ?? 0;
        // The Modality LUT: a rescale, else a Modality LUT Sequence's table (the two are exclusive, PS3.3 C.11.1).
        var modalityTable = rescaleSlope is null && rescaleIntercept is null ? LookupTable.From(dataset, DicomTag.ModalityLUTSequence, geometry.IsSigned) : null;
        Func<long, double> toModality = modalityTable is null ? stored => stored * slope + intercept : stored => modalityTable.Lookup(stored);
        // The VOI: the window asked for, else the image's window, else its VOI LUT table, else the frame's value range.
        var voiHolder = FrameFunctionalGroups.For(dataset, frameIndex, DicomTag.FrameVOILUTSequence);
        var window = requested ?? DatasetWindow(voiHolder);
        var voiTable = window is null ? LookupTable.From(voiHolder, DicomTag.VOILUTSequence, modalityTable is null && (geometry.IsSigned || intercept < 0 || slope < 0)) : null;
        window ??= voiTable is null ? RangeWindow(samples, geometry, toModality) : null;
        double voiScale = voiTable is null ? 0 : 255.0 / ((1 << voiTable.Bits) - 1);
        // MONOCHROME1 shows low values white; so does a MONOCHROME2 image whose Presentation LUT Shape is INVERSE (DX,
        // mammography). INVERSE beside MONOCHROME1 names that same inversion (PS3.3 C.8.11.6), not a second one.
        bool invert = geometry.Photometric == "MONOCHROME1"
            || string.Equals(dataset.GetStringOrDefault(DicomTag.PresentationLUTShape)?.Trim(), "INVERSE", StringComparison.Ordinal);
        byte Display(long stored)
        {
            double x = toModality(stored);
            double y = window is { } w ? Apply(w, x) : voiTable!.Lookup(x) * voiScale;
            if (invert) y = 255 - y;
            return (byte)Math.Clamp((int)Math.Round(y), 0, 255);
        }
        int bits = geometry.BitsStored;
        if (bits > 16) return new GreyTable(0, null, Display);
        int min = geometry.IsSigned ? -(1 << (bits - 1)) : 0, max = geometry.IsSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        var table = new byte[max - min + 1];
        for (int stored = min; stored <= max; stored++) table[stored - min] = Display(stored);
        return new GreyTable(min, table, Display);
    }

    /// <summary>PS3.3 C.11.2.1.2 window functions, output 0..255.</summary>
    public static double Apply(VoiWindow window, double x)
    {
        double c = window.Center, w = window.Width;
        switch (window.Function)
        {
            case WindowFunction.Sigmoid:
                return 255.0 / (1 + Math.Exp(-4 * (x - c) / Math.Max(w, 1e-6)));
            case WindowFunction.LinearExact:
                if (x <= c - w / 2) return 0;
                if (x > c + w / 2) return 255;
                return (x - c) / Math.Max(w, 1e-6) * 255 + 127.5;
            default:
                if (w < 1) w = 1;
                if (x <= c - 0.5 - (w - 1) / 2) return 0;
                if (x > c - 0.5 + (w - 1) / 2) return 255;
                return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
        }
    }

    private static VoiWindow? DatasetWindow(DicomDataset dataset)
    {
        if (!dataset.TryGetDouble(DicomTag.WindowCenter, out var center) || !dataset.TryGetDouble(DicomTag.WindowWidth, out var width) || width <= 0)
            return null;
        var function = (dataset.GetStringOrDefault(DicomTag.VOILUTFunction) ?? "").Trim() switch
        {
            "SIGMOID" => WindowFunction.Sigmoid,
            "LINEAR_EXACT" => WindowFunction.LinearExact,
            _ => WindowFunction.Linear,
        };
        return new VoiWindow(center, width, function);
    }

    private static VoiWindow RangeWindow(byte[] samples, FrameGeometry geometry, Func<long, double> toModality)
    {
        double a = double.MaxValue, b = double.MinValue;
        int pixels = geometry.Rows * geometry.Columns;
        for (int p = 0; p < pixels; p++)
        {
            double v = toModality(StoredValue(samples, geometry, p));
            if (v < a) a = v;
            if (v > b) b = v;
        }
        // A uniform frame (a blank slice) has no range: shown at the bottom of the window — black, white for
        // MONOCHROME1 — as dcmtk shows it, not at its top.
        if (a == b) return new VoiWindow(a + 0.5, 1, WindowFunction.Linear);
        return new VoiWindow((a + b) / 2, Math.Max(1, b - a + 1), WindowFunction.Linear);
    }

    private static double? Number(DicomDataset dataset, DicomTag tag) =>
        dataset.TryGetString(tag, out var text) && double.TryParse(text.Split('\\')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>The stored value of a grey pixel: masked to Bits Stored and sign-extended when signed.</summary>
    private static long StoredValue(byte[] samples, FrameGeometry g, int pixel)
    {
        long raw = g.BytesPerSample switch
        {
            1 => samples[pixel],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(samples.AsSpan(pixel * 2)),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(samples.AsSpan(pixel * 4)),
        };
        int bits = g.BitsStored;
        raw &= (1L << bits) - 1;
        if (g.IsSigned && (raw & (1L << (bits - 1))) != 0) raw -= 1L << bits;
        return raw;
    }

    private static int Sample(byte[] samples, FrameGeometry g, int pixel, int component)
    {
        int index = g.IsPlanar ? component * g.Rows * g.Columns + pixel : pixel * g.SamplesPerPixel + component;
        return g.BytesPerSample == 1 ? samples[index] : BinaryPrimitives.ReadUInt16LittleEndian(samples.AsSpan(index * 2));
    }

    /// <summary>Box-filters the frame to width × height (each output pixel averages the source pixels it covers).</summary>
    private static RenderedImage Reduce(FrameGeometry g, int width, int height, int channels, Func<int, int, int, byte> display)
    {
        var output = new byte[width * height * channels];
        var sums = new int[width * channels];
        var counts = new int[width];
        for (int oy = 0; oy < height; oy++)
        {
            int y0 = (int)((long)oy * g.Rows / height), y1 = Math.Max(y0 + 1, (int)((long)(oy + 1) * g.Rows / height));
            Array.Clear(sums);
            Array.Clear(counts);
            for (int y = y0; y < y1; y++)
            {
                for (int ox = 0; ox < width; ox++)
                {
                    int x0 = (int)((long)ox * g.Columns / width), x1 = Math.Max(x0 + 1, (int)((long)(ox + 1) * g.Columns / width));
                    for (int x = x0; x < x1; x++)
                    {
                        for (int c = 0; c < channels; c++) sums[ox * channels + c] += display(x, y, c);
                        counts[ox]++;
                    }
                }
            }
            for (int ox = 0; ox < width; ox++)
            {
                for (int c = 0; c < channels; c++) output[(oy * width + ox) * channels + c] = (byte)(sums[ox * channels + c] / counts[ox]);
            }
        }
        return new RenderedImage(width, height, channels, output);
    }
}
