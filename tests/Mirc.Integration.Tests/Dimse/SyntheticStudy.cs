using Mirc.Dicom;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>Writes a small deterministic CT study (one or more series) as Part 10 files in a chosen transfer syntax.</summary>
internal sealed class SyntheticStudy
{
    private static int _sequence;

    public SyntheticStudy(string patientId, string patientName, int seriesCount, int instancesPerSeries)
    {
        var n = Interlocked.Increment(ref _sequence);
        var root = $"1.2.826.0.1.3680043.10.1311.77.{Environment.ProcessId}.{n}";
        StudyUid = root;
        PatientId = patientId;
        PatientName = patientName;
        for (var s = 1; s <= seriesCount; s++)
        {
            var series = $"{root}.{s}";
            SeriesUids.Add(series);
            for (var i = 1; i <= instancesPerSeries; i++)
            {
                Instances.Add(($"{series}.{i}", series, i));
            }
        }
    }

    public string StudyUid { get; }

    public string PatientId { get; }

    public string PatientName { get; }

    public List<string> SeriesUids { get; } = [];

    public List<(string SopInstanceUid, string SeriesUid, int Number)> Instances { get; } = [];

    /// <summary>Writes every instance under <paramref name="folder"/>; returns the paths.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(string folder, DicomTransferSyntax syntax)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var (sop, series, number) in Instances)
        {
            var path = Path.Combine(folder, sop + ".dcm");
            await DicomFileWriter.WriteAsync(path, new DicomFile(Build(sop, series, number), syntax));
            paths.Add(path);
        }

        return paths;
    }

    private DicomDataset Build(string sop, string series, int number)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTag.SOPClassUID, DicomUids.CTImageStorage);
        ds.Set(DicomTag.SOPInstanceUID, sop);
        ds.Set(DicomTag.StudyDate, new DateOnly(2025, 3, 14));
        ds.Set(DicomTag.StudyTime, new TimeOnly(9, 30, 0));
        ds.Set(DicomTag.AccessionNumber, "ACC" + number);
        ds.Set(DicomTag.Modality, "CT");
        ds.Set(DicomTag.PatientName, PatientName);
        ds.Set(DicomTag.PatientID, PatientId);
        ds.Set(DicomTag.PatientBirthDate, new DateOnly(1960, 1, 2));
        ds.Set(DicomTag.PatientSex, "F");
        ds.Set(DicomTag.StudyInstanceUID, StudyUid);
        ds.Set(DicomTag.SeriesInstanceUID, series);
        ds.Set(DicomTag.SeriesNumber, SeriesUids.IndexOf(series) + 1);
        ds.Set(DicomTag.InstanceNumber, number);
        ds.Set(DicomTag.StudyDescription, "Scanner thoracique");
        ds.Set(DicomTag.Rows, 16);
        ds.Set(DicomTag.Columns, 16);
        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.BitsAllocated, 16);
        ds.Set(DicomTag.BitsStored, 16);
        ds.Set(DicomTag.HighBit, 15);
        ds.Set(DicomTag.PixelRepresentation, 0);
        var pixels = new byte[16 * 16 * 2];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7 + number);
        }

        ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        return ds;
    }
}
