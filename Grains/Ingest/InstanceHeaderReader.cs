using Mirc.Dicom;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Reads an <see cref="InstanceHeader"/> from a Part 10 stream with the Mirc.Dicom codec: header only (stops at
/// Pixel Data, scanning encapsulated fragment items), then maps the attributes the archive keeps and the frame ranges.
/// </summary>
internal static class InstanceHeaderReader
{
    // A cut file is refused, not read as far as it goes and stored as if whole.
    private static readonly DicomReadOptions Options = DicomReadOptions.HeaderOnly with { RefuseTruncation = true };
    private static readonly DicomReadOptions WholeOptions = new() { SkipPixelData = true, RefuseTruncation = true };

    /// <summary>Parses the header; throws <see cref="InvalidDataException"/> when the stream is not a readable Part 10 file.</summary>
    public static async ValueTask<InstanceHeader> ReadAsync(Stream part10, CancellationToken cancellationToken) =>
        Map(await ParseAsync(part10, Options, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Parses the whole stream, the elements after the Pixel Data included (its value skipped, not loaded); throws
    /// <see cref="InvalidDataException"/> when any element is cut short.
    /// </summary>
    public static async ValueTask CheckWholeAsync(Stream part10, CancellationToken cancellationToken) =>
        await ParseAsync(part10, WholeOptions, cancellationToken).ConfigureAwait(false);

    private static async ValueTask<DicomFile> ParseAsync(Stream part10, DicomReadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await DicomFileReader.ReadAsync(part10, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomFormatException or EndOfStreamException or ArgumentException or FormatException)
        {
            throw new InvalidDataException("Not a readable DICOM Part 10 instance: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// Parses the header from the bytes already received (the ingest's captured prefix), in place: no read buffer, no
    /// copy. Null when the prefix does not parse, or may not hold the whole header (it ends before native Pixel Data;
    /// encapsulated data also needs its fragment items, up to the end) and <paramref name="acceptPartial"/> is false:
    /// the caller then reads the stream, which also gives any error its usual wording.
    /// </summary>
    /// <param name="prefix">The first bytes of the Part 10 stream.</param>
    /// <param name="acceptPartial">
    /// True when <paramref name="prefix"/> is the entire stream, or when the caller needs only what the prefix holds
    /// (the early journal intent's UIDs, checked later against the full header).
    /// </param>
    public static InstanceHeader? TryRead(ReadOnlyMemory<byte> prefix, bool acceptPartial)
    {
        DicomFile file;
        try
        {
            file = DicomFileReader.Read(prefix, Options);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever it is (a deflated data set may even need a real read), the stream parse decides and words it.
            return null;
        }

        // A prefix cut between two elements reads as a data set that simply ends: only reaching native pixel data (or
        // having the whole stream) proves nothing of the header is missing.
        if (file.HadNoFileMeta || !(acceptPartial || file.PixelData is { IsEncapsulated: false }))
        {
            return null;
        }

        return Map(file);
    }

    private static InstanceHeader Map(DicomFile file)
    {
        if (file.HadNoFileMeta)
        {
            throw new InvalidDataException("No File Meta Information: not a Part 10 file.");
        }

        var ds = file.Dataset;
        return new InstanceHeader
        {
            TransferSyntaxUid = TransferSyntax(file),
            SopClassUid = Text(ds, DicomTag.SOPClassUID),
            SopInstanceUid = Text(ds, DicomTag.SOPInstanceUID),
            StudyInstanceUid = Text(ds, DicomTag.StudyInstanceUID),
            SeriesInstanceUid = Text(ds, DicomTag.SeriesInstanceUID),
            PatientId = Text(ds, DicomTag.PatientID),
            IssuerOfPatientId = Text(ds, DicomTag.IssuerOfPatientID),
            Ins = FindIns(ds),
            PatientName = Text(ds, DicomTag.PatientName),
            PatientBirthDate = Temporal(ds, DicomTag.PatientBirthDate, DicomVR.DA),
            PatientSex = Text(ds, DicomTag.PatientSex),
            StudyDate = Temporal(ds, DicomTag.StudyDate, DicomVR.DA),
            StudyTime = Temporal(ds, DicomTag.StudyTime, DicomVR.TM),
            AccessionNumber = Text(ds, DicomTag.AccessionNumber),
            StudyId = Text(ds, DicomTag.StudyID),
            StudyDescription = Text(ds, DicomTag.StudyDescription),
            ReferringPhysicianName = Text(ds, DicomTag.ReferringPhysicianName),
            Modality = Text(ds, DicomTag.Modality),
            SeriesNumber = Int(ds, DicomTag.SeriesNumber),
            SeriesDescription = Text(ds, DicomTag.SeriesDescription),
            BodyPartExamined = Text(ds, DicomTag.BodyPartExamined),
            InstanceNumber = Int(ds, DicomTag.InstanceNumber),
            NumberOfFrames = Int(ds, DicomTag.NumberOfFrames),
            Rows = Int(ds, DicomTag.Rows),
            Columns = Int(ds, DicomTag.Columns),
            BitsAllocated = Int(ds, DicomTag.BitsAllocated),
            SpecificCharacterSet = Text(ds, DicomTag.SpecificCharacterSet),
            TimezoneOffsetFromUtc = Text(ds, DicomTag.TimezoneOffsetFromUTC),
            PerformedProcedureStepStartDate = Temporal(ds, DicomTag.PerformedProcedureStepStartDate, DicomVR.DA),
            PerformedProcedureStepStartTime = Temporal(ds, DicomTag.PerformedProcedureStepStartTime, DicomVR.TM),
            Frames = MapFrames(file.PixelData),
        };
    }

    /// <summary>
    /// The declared Transfer Syntax UID; when the meta group lacks it (dcmtk and pydicom read such files), the one the
    /// reader inferred from the data set's encoding — unless the pixel data is compressed, which cannot be inferred.
    /// </summary>
    private static string TransferSyntax(DicomFile file)
    {
        if (file.FileMetaInformation.GetStringOrDefault(DicomTag.TransferSyntaxUID) is { Length: > 0 } declared)
        {
            return declared;
        }

        if (file.PixelData is { IsEncapsulated: true })
        {
            throw new InvalidDataException("No Transfer Syntax UID (0002,0010) and the pixel data is encapsulated: its compression cannot be inferred.");
        }

        return file.TransferSyntax.Uid;
    }

    private static string? Text(DicomDataset ds, DicomTag tag)
    {
        var value = ds.GetStringOrDefault(tag);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    // Indexed in today's form so that legacy "YYYY.MM.DD" / "HH:MM:SS" values match dates and ranges like the others.
    private static string? Temporal(DicomDataset ds, DicomTag tag, DicomVR vr) => Text(ds, tag) is { } text ? DicomDateTimeText.Canonical(vr, text) : null;

    private static int? Int(DicomDataset ds, DicomTag tag) => ds.TryGetInt32(tag, out var v) ? v : null;

    /// <summary>
    /// The INS among the patient's identifiers: Other Patient IDs Sequence items (or the main Patient ID) whose issuer —
    /// Issuer of Patient ID, its HL7 HD components, or the Universal Entity ID of its qualifiers — is an INS OID.
    /// A real INS wins over test/demo ones.
    /// </summary>
    private static NationalIdentity? FindIns(DicomDataset ds)
    {
        NationalIdentity? found = null;
        foreach (var item in ds.GetSequenceItems(DicomTag.OtherPatientIDsSequence).Prepend(ds))
        {
            var id = Text(item, DicomTag.PatientID);
            if (id is null || InsOid(item) is not { } oid)
            {
                continue;
            }

            if (oid == NationalIdentity.RealInsOid)
            {
                return new NationalIdentity(id, oid);
            }

            found ??= new NationalIdentity(id, oid);
        }

        return found;
    }

    private static string? InsOid(DicomDataset item)
    {
        var issuer = Text(item, DicomTag.IssuerOfPatientID);
        if (issuer is not null)
        {
            foreach (var part in issuer.Split('&'))
            {
                if (NationalIdentity.IsInsOid(part.Trim()))
                {
                    return part.Trim();
                }
            }
        }

        foreach (var qualifier in item.GetSequenceItems(DicomTag.IssuerOfPatientIDQualifiersSequence))
        {
            var uei = Text(qualifier, DicomTag.UniversalEntityID);
            if (NationalIdentity.IsInsOid(uei))
            {
                return uei;
            }
        }

        return null;
    }

    private static FrameLayout MapFrames(PixelDataInfo? pixels)
    {
        if (pixels is null)
        {
            return FrameLayout.None;
        }

        var frames = Math.Max(1, pixels.NumberOfFrames);
        var unmapped = new FrameLayout { FrameCount = frames, Encapsulated = pixels.IsEncapsulated, PixelDataOffset = -1, PixelDataLength = pixels.ValueLength };
        if (pixels.IsInflatedOffsets)
        {
            return unmapped;
        }

        var regularNative = !pixels.IsEncapsulated && pixels.FrameLength > 0
            && (pixels.BitsAllocated != 1 || (long)pixels.Rows * pixels.Columns * pixels.SamplesPerPixel % 8 == 0);
        if (regularNative)
        {
            return pixels.ValueLength >= 0 && pixels.FrameLength * frames > pixels.ValueLength
                ? unmapped
                : new FrameLayout
                {
                    FrameCount = frames,
                    PixelDataOffset = pixels.ValueOffset,
                    PixelDataLength = pixels.ValueLength,
                    NativeFrameLength = pixels.FrameLength,
                };
        }

        var ranges = new List<FrameFragment>();
        var firsts = new int[frames];
        for (var i = 0; i < frames; i++)
        {
            if (!pixels.TryGetFrameRange(i, out var frameRanges))
            {
                return unmapped;
            }

            firsts[i] = ranges.Count;
            ranges.AddRange(frameRanges.Select(r => new FrameFragment(r.Offset, r.Length)));
        }

        return new FrameLayout
        {
            FrameCount = frames,
            Encapsulated = pixels.IsEncapsulated,
            PixelDataOffset = pixels.ValueOffset,
            PixelDataLength = pixels.ValueLength,
            Fragments = [.. ranges],
            FrameFirstFragment = firsts,
        };
    }
}
