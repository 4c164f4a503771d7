using System.Globalization;
using System.Runtime.InteropServices;
using Mirc.Dicom;

namespace Mirc.Bench.Data.Synthesis;

/// <summary>Builds deterministic studies: same seed and spec, same bytes.</summary>
public sealed class SyntheticStudyFactory(string seed)
{
    /// <summary>Generates every instance of <paramref name="spec"/>; <paramref name="copy"/> gives fresh UIDs for the same shape.</summary>
    public BenchStudy Create(SyntheticStudySpec spec, string copy = "")
    {
        var key = $"{seed}/{spec.Name}/{copy}";
        var studyUid = DeterministicUid.From(key);
        var instances = new List<BenchInstance>(spec.Series.Sum(s => s.Instances));
        for (var s = 0; s < spec.Series.Count; s++)
        {
            var series = spec.Series[s];
            var seriesUid = DeterministicUid.From($"{key}/{s}");
            for (var i = 0; i < series.Instances; i++)
            {
                var sopUid = DeterministicUid.From($"{key}/{s}/{i}");
                var dataset = Header(spec, series, studyUid, seriesUid, sopUid, s + 1, i + 1)
                    .Set(DicomTag.PixelData, series.BitsAllocated == 8 ? DicomVR.OB : DicomVR.OW, Pixels(series, i));
                var file = DicomFileWriter.Write(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));
                instances.Add(new BenchInstance(seriesUid, series.SopClassUid, sopUid, DicomUids.ExplicitVRLittleEndian, series.FramesPerInstance,
                    file, Part10Layout.DatasetOffset(file)));
            }
        }

        return new BenchStudy(spec.Name + copy, spec.PatientId, studyUid, instances);
    }

    private static DicomDataset Header(SyntheticStudySpec study, SyntheticSeriesSpec series, string studyUid, string seriesUid, string sopUid, int seriesNumber, int instanceNumber)
    {
        // ISO_IR 192 first, so every text below (accented names included) is encoded as UTF-8.
        var ds = new DicomDataset()
            .Set(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Set(DicomTag.ImageType, DicomVR.CS, ["ORIGINAL", "PRIMARY"])
            .Set(DicomTag.SOPClassUID, series.SopClassUid)
            .Set(DicomTag.SOPInstanceUID, sopUid)
            .Set(DicomTag.StudyDate, "20260115")
            .Set(DicomTag.StudyTime, "101500")
            .Set(DicomTag.AccessionNumber, "ACC" + studyUid[^8..])
            .Set(DicomTag.Modality, series.Modality)
            .Set(DicomTag.StudyDescription, $"Bench {study.Name} étude")
            .Set(DicomTag.SeriesDescription, $"{series.Modality} série {seriesNumber}")
            .Set(DicomTag.PatientName, study.PatientName)
            .Set(DicomTag.PatientID, study.PatientId)
            .Set(DicomTag.PatientBirthDate, "19610412")
            .Set(DicomTag.PatientSex, "F")
            .Set(DicomTag.StudyInstanceUID, studyUid)
            .Set(DicomTag.SeriesInstanceUID, seriesUid)
            .Set(DicomTag.StudyID, "1")
            .Set(DicomTag.SeriesNumber, seriesNumber)
            .Set(DicomTag.InstanceNumber, instanceNumber)
            .Set(DicomTag.ImagePositionPatient, DicomVR.DS, -250, -250, instanceNumber * 1.25)
            .Set(DicomTag.ImageOrientationPatient, DicomVR.DS, 1, 0, 0, 0, 1, 0)
            .Set(DicomTag.SamplesPerPixel, 1)
            .Set(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Set(DicomTag.Rows, series.Rows)
            .Set(DicomTag.Columns, series.Columns)
            .Set(DicomTag.PixelSpacing, DicomVR.DS, 0.7, 0.7)
            .Set(DicomTag.BitsAllocated, series.BitsAllocated)
            .Set(DicomTag.BitsStored, series.BitsAllocated == 16 ? 12 : 8)
            .Set(DicomTag.HighBit, series.BitsAllocated == 16 ? 11 : 7)
            .Set(DicomTag.PixelRepresentation, 0);
        if (series.FramesPerInstance > 1) ds.Set(DicomTag.NumberOfFrames, series.FramesPerInstance);
        if (series.Modality == "CT")
        {
            ds.Set(DicomTag.SliceThickness, DicomVR.DS, 1.25).Set(DicomTag.RescaleIntercept, DicomVR.DS, -1024).Set(DicomTag.RescaleSlope, DicomVR.DS, 1);
        }

        return ds;
    }

    /// <summary>A cheap deterministic pattern that differs per instance and per frame (so no two frames are identical).</summary>
    private static byte[] Pixels(SyntheticSeriesSpec series, int instance)
    {
        var pixels = new byte[(long)series.FrameBytes * series.FramesPerInstance is var n and <= int.MaxValue ? (int)n : throw new InvalidOperationException("instance too large")];
        for (var f = 0; f < series.FramesPerInstance; f++)
        {
            var frame = pixels.AsSpan(f * series.FrameBytes, series.FrameBytes);
            var offset = instance * 7 + f * 3;
            if (series.BitsAllocated == 16)
            {
                var words = MemoryMarshal.Cast<byte, ushort>(frame);
                for (var y = 0; y < series.Rows; y++)
                {
                    var row = words.Slice(y * series.Columns, series.Columns);
                    for (var x = 0; x < row.Length; x++) row[x] = (ushort)((x + y + offset) & 0x0FFF);
                }
            }
            else
            {
                for (var i = 0; i < frame.Length; i++) frame[i] = (byte)(i + offset);
            }
        }

        return pixels;
    }
}
