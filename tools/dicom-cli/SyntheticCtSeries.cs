using Mirc.Dicom;

namespace Mirc.DicomCli;

/// <summary>
/// Builds an in-memory CT series for benchmarks: 512×512 16-bit slices (≈ 512 KiB each) in Explicit VR Little Endian,
/// one study, unique UIDs per run. The pixel bytes are shared by every slice (only the header differs).
/// </summary>
internal static class SyntheticCtSeries
{
    public static (string StudyUid, List<byte[]> Part10Files) Create(int count, string patientId, int side = 512)
    {
        var root = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray().Append((byte)0).ToArray());
        var studyUid = root + ".1";
        var seriesUid = root + ".2";
        var pixels = new byte[side * side * 2];
        for (var i = 0; i < pixels.Length; i += 2) pixels[i] = (byte)(i / 2 % 251);
        var files = new List<byte[]>(count);
        for (var n = 1; n <= count; n++)
        {
            var dataset = new DicomDataset()
                .Set(DicomTag.SOPClassUID, DicomUids.CTImageStorage)
                .Set(DicomTag.SOPInstanceUID, $"{root}.3.{n}")
                .Set(DicomTag.StudyDate, "20260101")
                .Set(DicomTag.Modality, "CT")
                .Set(DicomTag.PatientName, "BENCH^CT")
                .Set(DicomTag.PatientID, patientId)
                .Set(DicomTag.StudyInstanceUID, studyUid)
                .Set(DicomTag.SeriesInstanceUID, seriesUid)
                .Set(DicomTag.SeriesNumber, 1)
                .Set(DicomTag.InstanceNumber, n)
                .Set(DicomTag.SamplesPerPixel, 1)
                .Set(DicomTag.PhotometricInterpretation, "MONOCHROME2")
                .Set(DicomTag.Rows, side)
                .Set(DicomTag.Columns, side)
                .Set(DicomTag.BitsAllocated, 16)
                .Set(DicomTag.BitsStored, 16)
                .Set(DicomTag.HighBit, 15)
                .Set(DicomTag.PixelRepresentation, 0)
                .Set(DicomTag.PixelData, DicomVR.OW, pixels);
            files.Add(DicomFileWriter.Write(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian)));
        }
        return (studyUid, files);
    }
}
