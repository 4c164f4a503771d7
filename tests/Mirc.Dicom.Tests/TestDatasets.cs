namespace Mirc.Dicom.Tests;

/// <summary>Synthesized data sets used across tests.</summary>
internal static class TestDatasets
{
    /// <summary>A data set exercising most VRs, nested sequences, private tags, odd lengths and a given character set.</summary>
    public static DicomDataset Rich(string characterSet = "ISO_IR 100", string patientName = "DUPONT^Hélène")
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SpecificCharacterSet, characterSet);
        ds.Set(DicomTag.SOPClassUID, DicomUids.SecondaryCaptureImageStorage);
        ds.Set(DicomTag.SOPInstanceUID, "1.2.826.0.1.3680043.10.1311.99.1");
        ds.Set(DicomTag.StudyDate, new DateOnly(2024, 2, 29));
        ds.Set(DicomTag.StudyTime, new TimeOnly(13, 45, 7, 250));
        ds.Set(DicomTag.AcquisitionDateTime, DicomVR.DT, "20240229134507.123456+0100");
        ds.Set(DicomTag.Modality, "OT");
        ds.Set(DicomTag.PatientName, patientName);
        ds.Set(DicomTag.PatientID, "PID-001");
        ds.Set(DicomTag.PatientAge, "042Y");
        ds.Set(DicomTag.PatientWeight, 71.5);
        ds.Set(DicomTag.StudyInstanceUID, "1.2.826.0.1.3680043.10.1311.99.2");
        ds.Set(DicomTag.SeriesInstanceUID, "1.2.826.0.1.3680043.10.1311.99.3");
        ds.Set(DicomTag.SeriesNumber, 7);
        ds.Set(DicomTag.InstanceNumber, 12345);
        ds.Set(DicomTag.ImagePositionPatient, DicomVR.DS, -125.5, 30.25, 1e-3);
        ds.Set(DicomTag.StudyDescription, "Odd length");
        ds.Set(DicomTag.ImageComments, DicomVR.LT, "Line one\r\nLine two with trailing text");
        ds.Set(DicomTag.Rows, 4);
        ds.Set(DicomTag.Columns, 3);
        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.BitsAllocated, 16);
        ds.Set(DicomTag.BitsStored, 12);
        ds.Set(DicomTag.HighBit, 11);
        ds.Set(DicomTag.PixelRepresentation, 0);
        ds.Set(DicomTag.SmallestImagePixelValue, DicomVR.US, 0);
        ds.Set(DicomTag.WindowCenter, DicomVR.DS, 40, 400);
        ds.Set(DicomTag.RescaleSlope, 1.0);
        ds.Set(DicomTag.FrameIncrementPointer, DicomTag.FrameTime);
        ds.Set(new DicomTag(0x0018, 0x9089), DicomVR.FD, 0.0, 1.0, -0.5); // DiffusionGradientOrientation
        ds.Set(new DicomTag(0x0018, 0x9310), DicomVR.FD, 2.5); // TableFeedPerRotation
        ds.Set(new DicomTag(0x0028, 0x9099), DicomVR.US, 3);
        ds.Set(new DicomTag(0x0018, 0x0088), DicomVR.DS, 1.25);
        ds.Set(new DicomTag(0x0018, 0x9306), DicomVR.FD, 0.625);
        ds.Set(new DicomTag(0x0020, 0x9057), DicomVR.UL, 1);
        ds.Set(new DicomTag(0x0018, 0x9313), DicomVR.FD, 1.0, 2.0, 3.0);
        ds.Set(new DicomTag(0x0040, 0xA30A), DicomVR.DS, 3.5);
        ds.Set(new DicomTag(0x0018, 0x9219), DicomVR.SS, -12);
        ds.Set(new DicomTag(0x0018, 0x1160), DicomVR.SH, "FILTER");
        ds.Set(new DicomTag(0x0040, 0xA160), DicomVR.UT, "Unlimited text value");
        ds.Set(new DicomTag(0x0008, 0x0120), DicomVR.UR, "http://example.org/a b");
        ds.Set(new DicomTag(0x0008, 0x0119), DicomVR.UC, "Unlimited characters");
        ds.Set(new DicomTag(0x0018, 0x9327), DicomVR.FD, 12.5);
        ds.Set(new DicomTag(0x0028, 0x1052), DicomVR.DS, -1024);
        ds.Set(new DicomTag(0x0072, 0x007C), DicomVR.SV, -42);
        ds.Set(new DicomTag(0x0072, 0x007E), DicomVR.UV, 42);
        ds.Set(new DicomTag(0x0018, 0x605A), DicomVR.FL, 1.5f, 2.25f);
        ds.Set(new DicomTag(0x0066, 0x0016), DicomVR.OF, new byte[] { 0, 0, 0x80, 0x3F });
        ds.Set(new DicomTag(0x0066, 0x0023), DicomVR.OW, new byte[] { 1, 2, 3, 4 });
        ds.Set(new DicomTag(0x0066, 0x0040), DicomVR.OL, new byte[] { 1, 0, 0, 0 });
        ds.Set(new DicomTag(0x0066, 0x0022), DicomVR.OD, BitConverter.GetBytes(2.5));
        ds.Set(new DicomTag(0x0029, 0x0010), DicomVR.LO, "MIRC PRIVATE");
        ds.Set(new DicomTag(0x0029, 0x1001), DicomVR.OB, new byte[] { 0xDE, 0xAD, 0xBE });
        ds.Set(new DicomTag(0x0029, 0x1002), DicomVR.LO, "private text");
        var inner = new DicomDataset();
        inner.Set(DicomTag.CodeValue, "113100");
        inner.Set(DicomTag.CodingSchemeDesignator, "DCM");
        inner.Set(DicomTag.CodeMeaning, "Basic Application Confidentiality Profile");
        var deeper = new DicomDataset();
        deeper.Set(DicomTag.CodeValue, "X1");
        deeper.Set(DicomTag.CodingSchemeDesignator, "99MIRC");
        inner.SetSequence(DicomTag.ConceptNameCodeSequence, deeper);
        ds.SetSequence(DicomTag.DeidentificationMethodCodeSequence, inner, new DicomDataset());
        ds.SetSequence(DicomTag.ReferencedStudySequence);
        var pixels = new byte[4 * 3 * 2];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        return ds;
    }

    /// <summary>A native multi-frame 8-bit instance whose frame f pixel p holds (f*31 + p) mod 251.</summary>
    public static DicomDataset MultiFrame(int frames, int rows, int columns, int bitsAllocated = 8)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SOPClassUID, DicomUids.MultiFrameGrayscaleByteSecondaryCaptureImageStorage);
        ds.Set(DicomTag.SOPInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.StudyInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.SeriesInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.Modality, "OT");
        ds.Set(DicomTag.PatientName, "MULTI^FRAME");
        ds.Set(DicomTag.PatientID, "MF1");
        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.NumberOfFrames, frames);
        ds.Set(DicomTag.Rows, rows);
        ds.Set(DicomTag.Columns, columns);
        ds.Set(DicomTag.BitsAllocated, bitsAllocated);
        ds.Set(DicomTag.BitsStored, bitsAllocated);
        ds.Set(DicomTag.HighBit, bitsAllocated - 1);
        ds.Set(DicomTag.PixelRepresentation, 0);
        int frameBytes = rows * columns * bitsAllocated / 8;
        var pixels = new byte[frameBytes * frames];
        for (int f = 0; f < frames; f++)
            for (int p = 0; p < frameBytes; p++)
                pixels[f * frameBytes + p] = (byte)((f * 31 + p) % 251);
        ds.Set(DicomTag.PixelData, bitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, pixels);
        return ds;
    }
}
