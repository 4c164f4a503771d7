using Mirc.Dicom;

namespace Mirc.Bench.Micro;

/// <summary>Instances synthesized in memory with our writer.</summary>
internal static class SyntheticInstances
{
    /// <summary>A 512×512 16-bit CT slice with a realistic header (~100 attributes, a few sequences).</summary>
    public static DicomDataset CtSlice()
    {
        var ds = CommonHeader(DicomUids.CTImageStorage, "CT");
        ds.Set(DicomTag.ImageType, DicomVR.CS, ["ORIGINAL", "PRIMARY", "AXIAL"]);
        ds.Set(DicomTag.SliceThickness, 1.25);
        ds.Set(DicomTag.KVP, 120);
        ds.Set(DicomTag.DataCollectionDiameter, 500);
        ds.Set(DicomTag.ReconstructionDiameter, 350);
        ds.Set(DicomTag.GantryDetectorTilt, 0);
        ds.Set(DicomTag.TableHeight, 150.5);
        ds.Set(DicomTag.ExposureTime, 1000);
        ds.Set(DicomTag.XRayTubeCurrent, 250);
        ds.Set(DicomTag.Exposure, 300);
        ds.Set(DicomTag.ConvolutionKernel, "STANDARD");
        ds.Set(DicomTag.PatientPosition, "HFS");
        ds.Set(DicomTag.ImagePositionPatient, DicomVR.DS, -175.5, -175.5, -120.25);
        ds.Set(DicomTag.ImageOrientationPatient, DicomVR.DS, 1, 0, 0, 0, 1, 0);
        ds.Set(DicomTag.SliceLocation, -120.25);
        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.Rows, 512);
        ds.Set(DicomTag.Columns, 512);
        ds.Set(DicomTag.PixelSpacing, DicomVR.DS, 0.683594, 0.683594);
        ds.Set(DicomTag.BitsAllocated, 16);
        ds.Set(DicomTag.BitsStored, 12);
        ds.Set(DicomTag.HighBit, 11);
        ds.Set(DicomTag.PixelRepresentation, 0);
        ds.Set(DicomTag.WindowCenter, DicomVR.DS, 40, 400);
        ds.Set(DicomTag.WindowWidth, DicomVR.DS, 400, 2000);
        ds.Set(DicomTag.RescaleIntercept, -1024);
        ds.Set(DicomTag.RescaleSlope, 1);
        ds.Set(DicomTag.PixelData, DicomVR.OW, new byte[512 * 512 * 2]);
        return ds;
    }

    /// <summary>A 1000-frame 256×256 8-bit enhanced-style instance with per-frame functional groups.</summary>
    public static DicomDataset MultiFrame(int frames = 1000)
    {
        var ds = CommonHeader(DicomUids.EnhancedCTImageStorage, "CT");
        ds.Set(DicomTag.NumberOfFrames, frames);
        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.Rows, 256);
        ds.Set(DicomTag.Columns, 256);
        ds.Set(DicomTag.BitsAllocated, 8);
        ds.Set(DicomTag.BitsStored, 8);
        ds.Set(DicomTag.HighBit, 7);
        ds.Set(DicomTag.PixelRepresentation, 0);
        var perFrame = new DicomDataset[frames];
        for (int f = 0; f < frames; f++)
        {
            var position = new DicomDataset();
            position.Set(DicomTag.ImagePositionPatient, DicomVR.DS, -100, -100, f * 0.5);
            var content = new DicomDataset();
            content.Set(DicomTag.InStackPositionNumber, f + 1);
            var item = new DicomDataset();
            item.SetSequence(DicomTag.PlanePositionSequence, position);
            item.SetSequence(DicomTag.FrameContentSequence, content);
            perFrame[f] = item;
        }
        ds.SetSequence(DicomTag.PerFrameFunctionalGroupsSequence, perFrame);
        ds.Set(DicomTag.PixelData, DicomVR.OB, new byte[256 * 256 * frames]);
        return ds;
    }

    private static DicomDataset CommonHeader(string sopClass, string modality)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SpecificCharacterSet, "ISO_IR 100");
        ds.Set(DicomTag.SOPClassUID, sopClass);
        ds.Set(DicomTag.SOPInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.StudyDate, new DateOnly(2024, 5, 17));
        ds.Set(DicomTag.SeriesDate, new DateOnly(2024, 5, 17));
        ds.Set(DicomTag.StudyTime, new TimeOnly(10, 11, 12));
        ds.Set(DicomTag.AccessionNumber, "ACC123456");
        ds.Set(DicomTag.Modality, modality);
        ds.Set(DicomTag.Manufacturer, "MIRC");
        ds.Set(DicomTag.InstitutionName, "Hôpital Régional");
        ds.Set(DicomTag.ReferringPhysicianName, "MARTIN^Paul");
        ds.Set(DicomTag.StudyDescription, "CT THORAX");
        ds.Set(DicomTag.SeriesDescription, "AXIAL 1.25");
        var code = new DicomDataset();
        code.Set(DicomTag.CodeValue, "CTCHEST");
        code.Set(DicomTag.CodingSchemeDesignator, "99MIRC");
        code.Set(DicomTag.CodeMeaning, "CT Chest");
        ds.SetSequence(DicomTag.ProcedureCodeSequence, code);
        ds.Set(DicomTag.PatientName, "DUPONT^Hélène");
        ds.Set(DicomTag.PatientID, "PID-0001");
        ds.Set(DicomTag.PatientBirthDate, new DateOnly(1970, 1, 1));
        ds.Set(DicomTag.PatientSex, "F");
        ds.Set(DicomTag.StudyInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.SeriesInstanceUID, DicomUids.NewUid());
        ds.Set(DicomTag.StudyID, "1");
        ds.Set(DicomTag.SeriesNumber, 2);
        ds.Set(DicomTag.InstanceNumber, 3);
        ds.Set(DicomTag.FrameOfReferenceUID, DicomUids.NewUid());
        return ds;
    }
}
