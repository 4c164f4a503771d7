using Mirc.Dicom;

namespace Mirc.Bench.Data.Synthesis;

/// <summary>Shape of one synthetic series.</summary>
/// <param name="Modality">Modality (0008,0060).</param>
/// <param name="SopClassUid">SOP class of every instance.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Columns">Columns.</param>
/// <param name="BitsAllocated">8 or 16.</param>
/// <param name="Instances">Instances in the series.</param>
/// <param name="FramesPerInstance">Frames in each instance (1 for single-frame).</param>
public sealed record SyntheticSeriesSpec(string Modality, string SopClassUid, int Rows, int Columns, int BitsAllocated, int Instances, int FramesPerInstance = 1)
{
    /// <summary>CT Image Storage.</summary>
    public const string CtImageStorage = DicomUids.CTImageStorage;
    /// <summary>MR Image Storage.</summary>
    public const string MrImageStorage = DicomUids.MRImageStorage;
    /// <summary>Computed Radiography Image Storage.</summary>
    public const string CrImageStorage = DicomUids.ComputedRadiographyImageStorage;
    /// <summary>X-Ray Angiographic Image Storage (multi-frame).</summary>
    public const string XaImageStorage = DicomUids.XRayAngiographicImageStorage;

    /// <summary>Bytes of pixel data of one frame.</summary>
    public int FrameBytes => Rows * Columns * (BitsAllocated / 8);
}

/// <summary>Shape of one synthetic study.</summary>
/// <param name="Name">Short name used in operation names and UID derivation.</param>
/// <param name="PatientName">Patient's Name, UTF-8 (written with Specific Character Set ISO_IR 192).</param>
/// <param name="PatientId">Patient ID.</param>
/// <param name="Series">Its series.</param>
public sealed record SyntheticStudySpec(string Name, string PatientName, string PatientId, IReadOnlyList<SyntheticSeriesSpec> Series);
