using System.Globalization;

namespace Mirc.Dicom.Deidentification;

/// <summary>
/// De-identifies instances per PS3.15 Annex E: the Basic Application Level Confidentiality Profile
/// (<see cref="ConfidentialityProfile"/>) with the Retain Longitudinal Temporal Information with Modified Dates and
/// Clean Descriptors options. Replacements come from the project's <see cref="DeidentificationKey"/>, so they are the same
/// in every export of a project: patient name and id become the patient's pseudonym, UIDs are remapped to
/// <c>2.25.</c> UIDs, every date moves back by the patient's offset (times stay), descriptors lose the identifying
/// values found in the instance. Private attributes go unless safelisted, overlays and curves go whole (their data may
/// carry text), and burned-in annotation is excluded or flagged. Thread-safe: one instance per project.
/// </summary>
public sealed class Deidentifier
{
    /// <summary>PS3.16 CID 7050 codes of the profile and options applied (scheme DCM).</summary>
    public static IReadOnlyList<(string Code, string Meaning)> MethodCodes { get; } =
    [
        ("113100", "Basic Application Confidentiality Profile"),
        ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
        ("113105", "Clean Descriptors Option"),
    ];

    private readonly DeidentificationKey _key;
    private readonly DeidentifierOptions _options;
    private readonly HashSet<PrivateAttribute> _safelist;

    /// <summary>Creates a de-identifier for one project.</summary>
    public Deidentifier(DeidentificationKey key, DeidentifierOptions? options = null)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _options = options ?? new DeidentifierOptions();
        _safelist = new HashSet<PrivateAttribute>(_options.PrivateSafelist.Select(p => p with { Creator = p.Creator.Trim() }));
    }

    /// <summary>
    /// De-identifies <paramref name="file"/> (its data set is changed in place) for the patient known to the archive as
    /// <paramref name="patientReference"/> (the value pseudonyms and date offsets are derived from).
    /// </summary>
    public DeidentificationResult Deidentify(DicomFile file, string patientReference)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        var ds = file.Dataset;
        var burnedIn = string.Equals(ds.GetStringOrDefault(DicomTag.BurnedInAnnotation)?.Trim(), "YES", StringComparison.OrdinalIgnoreCase);
        if (burnedIn && _options.BurnedInAnnotation == BurnedInAnnotationPolicy.Exclude)
        {
            return new DeidentificationResult(DeidentificationOutcome.ExcludedBurnedInAnnotation, null);
        }

        var run = new Run(_key.DateOffsetDays(patientReference), DescriptorCleaner.From(ds));
        Process(ds, run);

        var pseudonym = _key.Pseudonym(patientReference);
        ds.Set(DicomTag.PatientName, DicomVR.PN, pseudonym);
        ds.Set(DicomTag.PatientID, DicomVR.LO, pseudonym);
        ds.Set(DicomTag.PatientIdentityRemoved, DicomVR.CS, "YES");
        ds.Set(DicomTag.DeidentificationMethod, DicomVR.LO, ["PS3.15 E.1 Basic Profile", "Modified Dates", "Clean Descriptors"]);
        var codes = MethodCodes.Select(c =>
        {
            var item = new DicomDataset();
            item.Set(DicomTag.CodeValue, DicomVR.SH, c.Code);
            item.Set(DicomTag.CodingSchemeDesignator, DicomVR.SH, "DCM");
            item.Set(DicomTag.CodeMeaning, DicomVR.LO, c.Meaning);
            return item;
        }).ToArray();
        ds.SetSequence(DicomTag.DeidentificationMethodCodeSequence, codes);
        ds.Set(DicomTag.LongitudinalTemporalInformationModified, DicomVR.CS, "MODIFIED");

        // A fresh File Meta: the writer takes the (remapped) SOP UIDs from the data set; the source AE title goes.
        var output = new DicomFile(ds, file.TransferSyntax);
        return new DeidentificationResult(burnedIn ? DeidentificationOutcome.DeidentifiedWithBurnedInAnnotation : DeidentificationOutcome.Deidentified, output);
    }

    private void Process(DicomDataset ds, Run run)
    {
        foreach (var element in ds.Elements.ToArray())
        {
            var tag = element.Tag;
            if (tag.IsPrivate)
            {
                if (!KeepPrivate(ds, tag)) ds.Remove(tag);
                continue;
            }

            // Overlays (60xx) and curves (50xx) may carry text drawn over the image: the profile removes their data, so the
            // whole group goes (a group without its data would be an invalid module).
            if (tag.Group is >= 0x5000 and <= 0x60FF && (tag.Group & 0xFF00) is 0x5000 or 0x6000)
            {
                ds.Remove(tag);
                continue;
            }

            Apply(ds, element, ConfidentialityProfile.ActionFor(tag), run);
        }
    }

    private void Apply(DicomDataset ds, DicomElement element, ProfileAction action, Run run)
    {
        var tag = element.Tag;
        if (element is DicomSequence sequence)
        {
            switch (action)
            {
                case ProfileAction.Remove: ds.Remove(tag); break;
                case ProfileAction.Empty: ds.Set(new DicomSequence(tag)); break;
                default:
                    // Keep, dummy, UID replacement and cleaning of a sequence: the profile applies to its items too.
                    foreach (var item in sequence.Items) Process(item, run);
                    break;
            }

            return;
        }

        if (element is DicomFragmentSequence) return;
        var vr = element.VR;
        switch (action)
        {
            case ProfileAction.Remove:
                ds.Remove(tag);
                break;
            case ProfileAction.Empty:
                ds.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
                break;
            case ProfileAction.ReplaceUid:
                ReplaceUids(ds, element);
                break;
            case ProfileAction.Dummy:
                if (vr == DicomVR.UI) ReplaceUids(ds, element);
                else SetDummy(ds, element);
                break;
            case ProfileAction.Clean:
                Clean(ds, element, run);
                break;
            default:
                // Every date the profile keeps moves with the patient's offset: an unlisted date is still a date.
                if (vr is DicomVR.DA or DicomVR.DT) ShiftDates(ds, element, run);
                break;
        }
    }

    private bool KeepPrivate(DicomDataset ds, DicomTag tag)
    {
        if (_safelist.Count == 0) return false;
        if (tag.IsPrivateCreator)
        {
            var block = (byte)tag.Element;
            return ds.TryGetString(tag, out var owner) && _safelist.Any(p => p.Group == tag.Group && string.Equals(p.Creator, owner.Trim(), StringComparison.Ordinal))
                && ds.Elements.Any(e => e.Tag.Group == tag.Group && e.Tag.Element >> 8 == block);
        }

        if (tag.Element < 0x1000) return false;
        var creatorTag = new DicomTag(tag.Group, (ushort)(tag.Element >> 8));
        return ds.TryGetString(creatorTag, out var creator)
            && _safelist.Contains(new PrivateAttribute(creator.Trim(), tag.Group, (byte)tag.Element));
    }

    private void ReplaceUids(DicomDataset ds, DicomElement element)
    {
        var values = ds.GetStrings(element.Tag);
        var mapped = values.Where(v => v.Length > 0).Select(v => _key.RemapUid(v.Trim())).ToArray();
        ds.Set(element.Tag, DicomVR.UI, mapped);
    }

    private static void SetDummy(DicomDataset ds, DicomElement element)
    {
        var vr = element.VR;
        string? text = vr switch
        {
            DicomVR.PN => "ANONYMIZED",
            DicomVR.LO or DicomVR.SH or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.CS or DicomVR.AE => "ANONYMIZED",
            DicomVR.DA => "19000101",
            DicomVR.TM => "000000",
            DicomVR.DT => "19000101000000",
            DicomVR.IS or DicomVR.DS => "0",
            DicomVR.AS => "000D",
            _ => null,
        };
        if (text is not null)
        {
            ds.Set(element.Tag, vr, text);
            return;
        }

        // Binary values (and UR, UN): zeros of the same length, a dummy of the right VR and multiplicity.
        ds.Set(new DicomElement(element.Tag, vr, new byte[element.Buffer.Length]));
    }

    private static void Clean(DicomDataset ds, DicomElement element, Run run)
    {
        var vr = element.VR;
        switch (vr)
        {
            case DicomVR.DA or DicomVR.DT:
                ShiftDates(ds, element, run);
                return;
            case DicomVR.TM:
                // Dates move by whole days: the time of day is kept (the Modified Dates option retains it).
                return;
        }

        if (!vr.IsString() || vr is DicomVR.UI)
        {
            ds.Set(new DicomElement(element.Tag, vr, ReadOnlyMemory<byte>.Empty));
            return;
        }

        var values = ds.GetStrings(element.Tag).Select(run.Cleaner.Clean).ToArray();
        try
        {
            ds.Set(element.Tag, vr, values.All(v => v.Length == 0) ? [] : values);
        }
        catch (ArgumentException)
        {
            ds.Set(new DicomElement(element.Tag, vr, ReadOnlyMemory<byte>.Empty));
        }
    }

    private static void ShiftDates(DicomDataset ds, DicomElement element, Run run)
    {
        var values = ds.GetStrings(element.Tag);
        if (values.Length == 0) return;
        var shifted = values.Select(v => Shift(v.Trim(), element.VR, run.DateOffsetDays)).Where(v => v.Length > 0).ToArray();
        ds.Set(element.Tag, element.VR, shifted);
    }

    // DA YYYYMMDD; DT YYYYMMDD[HHMMSS[.F]][&ZZXX]: the date part moves, the rest stays. A partial or malformed date
    // cannot be shifted and is dropped rather than kept as it is.
    private static string Shift(string value, DicomVR vr, int days)
    {
        if (value.Length < 8 || !DateOnly.TryParseExact(value.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return "";
        }

        var moved = date.AddDays(-days).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return vr == DicomVR.DA ? moved : moved + value[8..];
    }

    private sealed record Run(int DateOffsetDays, DescriptorCleaner Cleaner);
}
