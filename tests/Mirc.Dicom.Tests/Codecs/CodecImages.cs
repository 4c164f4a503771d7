namespace Mirc.Dicom.Tests.Codecs;

/// <summary>Small synthetic images with the structure of real ones (smooth gradients plus noise), written as Part 10 files.</summary>
internal static class CodecImages
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";

    /// <summary>A CT-like frame: 16 bits allocated, <paramref name="bitsStored"/> stored, signed or not, rescale −1024.</summary>
    public static DicomFile Monochrome(int rows, int columns, int bitsStored, bool signed, int frames = 1, int seed = 7)
    {
        var ds = Header(CtImageStorage, rows, columns, 1, "MONOCHROME2", frames);
        ds.Set(DicomTag.BitsAllocated, 16).Set(DicomTag.BitsStored, bitsStored).Set(DicomTag.HighBit, bitsStored - 1)
            .Set(DicomTag.PixelRepresentation, signed ? 1 : 0)
            .Set(DicomTag.RescaleIntercept, signed ? "0" : "-1024").Set(DicomTag.RescaleSlope, "1")
            .Set(DicomTag.WindowCenter, "40").Set(DicomTag.WindowWidth, "400");
        var random = new Random(seed);
        int max = signed ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1, min = signed ? -(1 << (bitsStored - 1)) : 0;
        var pixels = new byte[rows * columns * 2 * frames];
        for (int f = 0; f < frames; f++)
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < columns; x++)
        {
            int v = min + (int)((long)(max - min) * (x + y + f * 5) / (rows + columns + frames * 5)) + random.Next(-20, 20);
            v = Math.Clamp(v, min, max);
            int i = ((f * rows + y) * columns + x) * 2;
            pixels[i] = (byte)v;
            pixels[i + 1] = (byte)(v >> 8);
        }
        ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    /// <summary>An 8-bit grey frame (a smooth gradient with noise), e.g. a secondary capture.</summary>
    public static DicomFile Grey8(int rows, int columns, int seed = 5)
    {
        var ds = Header(SecondaryCapture, rows, columns, 1, "MONOCHROME2", 1);
        ds.Set(DicomTag.BitsAllocated, 8).Set(DicomTag.BitsStored, 8).Set(DicomTag.HighBit, 7).Set(DicomTag.PixelRepresentation, 0);
        var random = new Random(seed);
        var pixels = new byte[rows * columns + (rows * columns & 1)];
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < columns; x++) pixels[y * columns + x] = (byte)Math.Clamp(20 + 200 * (x + y) / (rows + columns) + random.Next(-6, 6), 0, 255);
        ds.Set(DicomTag.PixelData, DicomVR.OB, pixels);
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    /// <summary>An 8-bit RGB frame (interleaved).</summary>
    public static DicomFile Rgb(int rows, int columns, int seed = 3)
    {
        var ds = Header(SecondaryCapture, rows, columns, 3, "RGB", 1);
        ds.Set(DicomTag.BitsAllocated, 8).Set(DicomTag.BitsStored, 8).Set(DicomTag.HighBit, 7).Set(DicomTag.PixelRepresentation, 0)
            .Set(DicomTag.PlanarConfiguration, 0);
        var random = new Random(seed);
        var pixels = new byte[rows * columns * 3];
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < columns; x++)
        {
            int i = (y * columns + x) * 3;
            pixels[i] = (byte)(x * 255 / columns);
            pixels[i + 1] = (byte)(y * 255 / rows);
            pixels[i + 2] = (byte)Math.Clamp(128 + random.Next(-10, 10), 0, 255);
        }
        ds.Set(DicomTag.PixelData, DicomVR.OB, pixels);
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    private static DicomDataset Header(string sopClass, int rows, int columns, int samples, string photometric, int frames)
    {
        var study = "2.25." + Random.Shared.NextInt64(1, long.MaxValue);
        var ds = new DicomDataset()
            .Set(DicomTag.SOPClassUID, sopClass)
            .Set(DicomTag.SOPInstanceUID, study + ".1.1")
            .Set(DicomTag.StudyInstanceUID, study)
            .Set(DicomTag.SeriesInstanceUID, study + ".1")
            .Set(DicomTag.PatientID, "CODEC1")
            .Set(DicomTag.PatientName, "CODEC^TEST")
            .Set(DicomTag.Modality, sopClass == CtImageStorage ? "CT" : "OT")
            .Set(DicomTag.SamplesPerPixel, samples)
            .Set(DicomTag.PhotometricInterpretation, photometric)
            .Set(DicomTag.Rows, rows)
            .Set(DicomTag.Columns, columns);
        if (frames > 1) ds.Set(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ds;
    }
}
