using Mirc.Dicom;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Builds synthetic DICOM instances with the codec's writer.</summary>
internal sealed record SyntheticInstance
{
    private static int _counter;

    public string StudyUid { get; init; } = NewUid();
    public string SeriesUid { get; init; } = NewUid();
    public string SopUid { get; init; } = NewUid();
    public string SopClassUid { get; init; } = DicomUids.CTImageStorage;
    public string PatientId { get; init; } = "PID-1";
    public string? Issuer { get; init; } = "HOSP-A";
    public string PatientName { get; init; } = "DOE^JANE";
    public NationalIdentity? Ins { get; init; }
    public string Modality { get; init; } = "CT";
    public int? InstanceNumber { get; init; } = 1;
    public int SeriesNumber { get; init; } = 1;
    public int Rows { get; init; } = 16;
    public int Columns { get; init; } = 16;
    public int Frames { get; init; } = 1;

    /// <summary>Encapsulated (one fragment per frame, with a Basic Offset Table) instead of native.</summary>
    public bool Encapsulated { get; init; }

    /// <summary>Seed of the pixel values (different seeds = different bytes for the same UIDs).</summary>
    public int PixelSeed { get; init; }

    /// <summary>Bytes of a private element in group 0029 (as a Siemens MR's CSA series header), before the pixel data; 0: none.</summary>
    public int PrivateHeaderBytes { get; init; }

    public static string NewUid() => $"1.2.826.0.1.3680043.10.1530.9.{Environment.ProcessId}.{Interlocked.Increment(ref _counter)}.{Random.Shared.Next(1, 1_000_000)}";

    public DicomDataset BuildDataset()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.SOPClassUID, SopClassUid);
        ds.Set(DicomTag.SOPInstanceUID, SopUid);
        ds.Set(DicomTag.StudyInstanceUID, StudyUid);
        ds.Set(DicomTag.SeriesInstanceUID, SeriesUid);
        ds.Set(DicomTag.PatientID, PatientId);
        if (Issuer is not null)
        {
            ds.Set(DicomTag.IssuerOfPatientID, Issuer);
        }

        ds.Set(DicomTag.PatientName, PatientName);
        ds.Set(DicomTag.PatientBirthDate, "19700101");
        ds.Set(DicomTag.PatientSex, "F");
        ds.Set(DicomTag.StudyDate, "20261124");
        ds.Set(DicomTag.StudyTime, "101500");
        ds.Set(DicomTag.AccessionNumber, "ACC1");
        ds.Set(DicomTag.StudyDescription, "CT THORAX");
        ds.Set(DicomTag.Modality, Modality);
        ds.Set(DicomTag.SeriesNumber, SeriesNumber);
        if (InstanceNumber is { } n)
        {
            ds.Set(DicomTag.InstanceNumber, n);
        }

        if (Ins is not null)
        {
            var item = new DicomDataset();
            item.Set(DicomTag.PatientID, Ins.Value);
            item.Set(DicomTag.IssuerOfPatientID, "ASIP-SANTE-INS-NIR");
            var qualifier = new DicomDataset();
            qualifier.Set(DicomTag.UniversalEntityID, Ins.Oid);
            qualifier.Set(DicomTag.UniversalEntityIDType, "ISO");
            item.SetSequence(DicomTag.IssuerOfPatientIDQualifiersSequence, qualifier);
            ds.SetSequence(DicomTag.OtherPatientIDsSequence, item);
        }

        if (PrivateHeaderBytes > 0)
        {
            ds.Set(new DicomTag(0x0029, 0x0010), DicomVR.LO, "SIEMENS CSA HEADER");
            ds.Set(new DicomTag(0x0029, 0x1020), DicomVR.OB, new byte[PrivateHeaderBytes]);
        }

        ds.Set(DicomTag.SamplesPerPixel, 1);
        ds.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomTag.Rows, Rows);
        ds.Set(DicomTag.Columns, Columns);
        ds.Set(DicomTag.BitsAllocated, 16);
        ds.Set(DicomTag.BitsStored, 12);
        ds.Set(DicomTag.HighBit, 11);
        ds.Set(DicomTag.PixelRepresentation, 0);
        if (Frames > 1)
        {
            ds.Set(DicomTag.NumberOfFrames, Frames);
        }

        if (Encapsulated)
        {
            var fragments = Enumerable.Range(0, Frames).Select(f => (ReadOnlyMemory<byte>)FramePixels(f)).ToArray();
            var bot = new byte[4 * Frames];
            uint offset = 0;
            for (var f = 0; f < Frames; f++)
            {
                BitConverter.TryWriteBytes(bot.AsSpan(4 * f), offset);
                offset += 8u + (uint)fragments[f].Length;
            }

            ds.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, bot, fragments));
        }
        else
        {
            var pixels = new byte[Rows * Columns * 2 * Frames];
            for (var f = 0; f < Frames; f++)
            {
                FramePixels(f).CopyTo(pixels.AsSpan(f * Rows * Columns * 2));
            }

            ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        }

        return ds;
    }

    /// <summary>Deterministic content of frame <paramref name="frame"/> (0-based).</summary>
    public byte[] FramePixels(int frame)
    {
        var bytes = new byte[Rows * Columns * 2];
        var rng = new Random(HashCode.Combine(PixelSeed, frame, SopUid));
        rng.NextBytes(bytes);
        return bytes;
    }

    public DicomTransferSyntax TransferSyntax => Encapsulated ? DicomTransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian : DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>Part 10 bytes (STOW form).</summary>
    public byte[] ToPart10() => DicomFileWriter.Write(new DicomFile(BuildDataset(), TransferSyntax));

    /// <summary>Bare dataset bytes (C-STORE form) in the instance's transfer syntax.</summary>
    public byte[] ToDataset() => DicomDatasetWriter.Write(BuildDataset(), TransferSyntax);
}
