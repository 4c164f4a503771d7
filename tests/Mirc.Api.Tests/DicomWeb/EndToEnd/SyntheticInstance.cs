using Mirc.Dicom;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

/// <summary>A generated Part 10 instance with the frame bytes it carries, for byte-exact comparisons.</summary>
public sealed record SyntheticInstance(string StudyUid, string SeriesUid, string SopUid, string SopClassUid, string TransferSyntaxUid, byte[] Bytes, IReadOnlyList<byte[]> Frames)
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>Image Comments (LT) long enough to be replaced by a BulkDataURI in metadata (even length: no padding).</summary>
    public static readonly string LongComment = string.Concat(Enumerable.Repeat("long comment ", 150));

    private static int _counter;

    /// <summary>A fresh UID under a test root, unique per call.</summary>
    public static string NewUid() => $"2.25.{Guid.NewGuid().ToByteArray().Aggregate(new System.Numerics.BigInteger(), (n, b) => n * 256 + b)}";

    /// <summary>A native (Explicit VR Little Endian) 16-bit monochrome instance with distinct frames.</summary>
    public static SyntheticInstance Native(StudyDescription study, string seriesUid, int seriesNumber, int instanceNumber, string modality = "CT", int frames = 2, int rows = 8, int columns = 8)
    {
        var sopUid = NewUid();
        var frameLength = rows * columns * 2;
        var seed = Interlocked.Increment(ref _counter);
        var frameBytes = Enumerable.Range(0, frames).Select(f => Pattern(frameLength, seed * 31 + f)).ToArray();
        var dataset = Base(study, seriesUid, seriesNumber, instanceNumber, sopUid, modality);
        dataset.Set(DicomTag.SamplesPerPixel, 1);
        dataset.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        dataset.Set(DicomTag.Rows, rows);
        dataset.Set(DicomTag.Columns, columns);
        dataset.Set(DicomTag.BitsAllocated, 16);
        dataset.Set(DicomTag.BitsStored, 16);
        dataset.Set(DicomTag.HighBit, 15);
        dataset.Set(DicomTag.PixelRepresentation, 0);
        dataset.Set(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        dataset.Set(DicomTag.ImageComments, LongComment);
        dataset.Set(DicomTag.PixelData, DicomVR.OW, frameBytes.SelectMany(b => b).ToArray());
        var bytes = DicomFileWriter.Write(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));
        return new SyntheticInstance(study.StudyUid, seriesUid, sopUid, CtImageStorage, DicomTransferSyntax.ExplicitVRLittleEndian.Uid, bytes, frameBytes);
    }

    /// <summary>A JPEG Baseline instance: one fragment per frame (the bytes are opaque to the archive).</summary>
    public static SyntheticInstance Jpeg(StudyDescription study, string seriesUid, int seriesNumber, int instanceNumber, int frames = 2)
    {
        var sopUid = NewUid();
        var seed = Interlocked.Increment(ref _counter);
        // Fragments have even lengths; each starts like a JPEG stream (SOI) so it looks the part.
        var frameBytes = Enumerable.Range(0, frames).Select(f =>
        {
            var bytes = Pattern(100 + 2 * f, seed * 17 + f);
            bytes[0] = 0xFF; bytes[1] = 0xD8; bytes[^2] = 0xFF; bytes[^1] = 0xD9;
            return bytes;
        }).ToArray();
        var dataset = Base(study, seriesUid, seriesNumber, instanceNumber, sopUid, "CT");
        dataset.Set(DicomTag.SamplesPerPixel, 1);
        dataset.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        dataset.Set(DicomTag.Rows, 8);
        dataset.Set(DicomTag.Columns, 8);
        dataset.Set(DicomTag.BitsAllocated, 8);
        dataset.Set(DicomTag.BitsStored, 8);
        dataset.Set(DicomTag.HighBit, 7);
        dataset.Set(DicomTag.PixelRepresentation, 0);
        dataset.Set(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        dataset.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, ReadOnlyMemory<byte>.Empty, frameBytes.Select(b => (ReadOnlyMemory<byte>)b)));
        var bytes = DicomFileWriter.Write(new DicomFile(dataset, DicomTransferSyntax.JPEGBaseline8Bit));
        return new SyntheticInstance(study.StudyUid, seriesUid, sopUid, CtImageStorage, DicomTransferSyntax.JPEGBaseline8Bit.Uid, bytes, frameBytes);
    }

    private static DicomDataset Base(StudyDescription study, string seriesUid, int seriesNumber, int instanceNumber, string sopUid, string modality)
    {
        var dataset = new DicomDataset();
        dataset.Set(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        dataset.Set(DicomTag.SOPClassUID, CtImageStorage);
        dataset.Set(DicomTag.SOPInstanceUID, sopUid);
        dataset.Set(DicomTag.StudyDate, study.StudyDate);
        dataset.Set(DicomTag.StudyTime, "101500");
        dataset.Set(DicomTag.TimezoneOffsetFromUTC, "+0100");
        dataset.Set(DicomTag.PerformedProcedureStepStartDate, study.StudyDate);
        dataset.Set(DicomTag.PerformedProcedureStepStartTime, "1015" + seriesNumber.ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
        dataset.Set(DicomTag.AccessionNumber, study.AccessionNumber);
        dataset.Set(DicomTag.Modality, modality);
        dataset.Set(DicomTag.ReferringPhysicianName, "HOUSE^GREGORY");
        dataset.Set(DicomTag.PatientName, study.PatientName);
        dataset.Set(DicomTag.PatientID, study.PatientId);
        dataset.Set(DicomTag.PatientBirthDate, "19700101");
        dataset.Set(DicomTag.PatientSex, "F");
        dataset.Set(DicomTag.StudyInstanceUID, study.StudyUid);
        dataset.Set(DicomTag.SeriesInstanceUID, seriesUid);
        dataset.Set(DicomTag.StudyID, "S1");
        dataset.Set(DicomTag.SeriesNumber, seriesNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        dataset.Set(DicomTag.InstanceNumber, instanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return dataset;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Study-level attributes shared by the instances of a synthetic study.</summary>
public sealed record StudyDescription(string StudyUid, string PatientId, string PatientName, string StudyDate, string AccessionNumber)
{
    /// <summary>A study with fresh UIDs and a unique patient id.</summary>
    public static StudyDescription Create(string studyDate = "20240315") =>
        new(SyntheticInstance.NewUid(), "PID-" + Guid.NewGuid().ToString("N")[..10], "DUPONT^Hélène", studyDate, "ACC" + Random.Shared.Next(100000, 999999));
}
