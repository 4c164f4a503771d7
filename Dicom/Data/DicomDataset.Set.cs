namespace Mirc.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>
    /// Sets a value from text using the dictionary VR. Binary VRs parse the text ("512", "1.5\2", "00100010").
    /// Non-ASCII text in a data set without (0008,0005) makes it ISO_IR 192 (UTF-8). Null or "" sets an empty value.
    /// </summary>
    public DicomDataset Set(DicomTag tag, string? value) => Set(tag, DicomDictionary.GetImplicitVR(tag), value);

    /// <summary>Sets a value from text with an explicit VR.</summary>
    public DicomDataset Set(DicomTag tag, DicomVR vr, string? value) =>
        Set(tag, vr, string.IsNullOrEmpty(value) ? [] : vr.IsString() || vr.ValueSize() == 0 ? [value] : value.Split('\\'));

    /// <summary>Sets several values from text with an explicit VR.</summary>
    public DicomDataset Set(DicomTag tag, DicomVR vr, string[] values)
    {
        if (vr.ValueSize() == 0 && !vr.IsString())
            throw new ArgumentException($"VR {vr} cannot be set from text; use Set(tag, vr, ReadOnlyMemory<byte>)", nameof(vr));
        var cs = CharacterSet;
        if (vr.UsesSpecificCharacterSet())
        {
            foreach (var v in values)
            {
                if (cs.CanEncode(v)) continue;
                if (cs.IsDefault && Parent is null)
                {
                    Set(new DicomElement(DicomTag.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192"u8.ToArray()));
                    cs = CharacterSet;
                    continue;
                }
                throw new ArgumentException($"'{v}' cannot be encoded with the data set's character set {cs}");
            }
        }
        return Set(new DicomElement(tag, vr, values.Length == 0 ? ReadOnlyMemory<byte>.Empty : DicomValueCodec.EncodeText(vr, values, cs)));
    }

    /// <summary>Sets an integer using the dictionary VR (US, SS, UL, SL, IS, DS, FL, FD, SV, UV).</summary>
    public DicomDataset Set(DicomTag tag, int value) => Set(tag, DicomDictionary.GetImplicitVR(tag), [(double)value]);

    /// <summary>Sets a number using the dictionary VR.</summary>
    public DicomDataset Set(DicomTag tag, double value) => Set(tag, DicomDictionary.GetImplicitVR(tag), [value]);

    /// <summary>Sets a 64-bit integer using the dictionary VR (exact for SV/UV).</summary>
    public DicomDataset Set(DicomTag tag, long value)
    {
        var vr = DicomDictionary.GetImplicitVR(tag);
        return vr is DicomVR.SV or DicomVR.UV
            ? Set(tag, vr, value.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : Set(tag, vr, [(double)value]);
    }

    /// <summary>Sets one or more numbers with an explicit VR (binary VRs or IS/DS).</summary>
    public DicomDataset Set(DicomTag tag, DicomVR vr, params double[] values) =>
        Set(new DicomElement(tag, vr, DicomValueCodec.EncodeNumbers(vr, values)));

    /// <summary>Sets a DA value.</summary>
    public DicomDataset Set(DicomTag tag, DateOnly value) => Set(tag, DicomVR.DA, DicomDateTimeText.FormatDate(value));

    /// <summary>Sets a TM value.</summary>
    public DicomDataset Set(DicomTag tag, TimeOnly value) => Set(tag, DicomVR.TM, DicomDateTimeText.FormatTime(value));

    /// <summary>Sets a DT value (with UTC offset).</summary>
    public DicomDataset Set(DicomTag tag, DateTimeOffset value) => Set(tag, DicomVR.DT, DicomDateTimeText.FormatDateTime(value));

    /// <summary>Sets a PN value.</summary>
    public DicomDataset Set(DicomTag tag, DicomPersonName value) => Set(tag, DicomVR.PN, value.ToString());

    /// <summary>Sets an AT value.</summary>
    public DicomDataset Set(DicomTag tag, DicomTag value) => Set(tag, DicomVR.AT, value.ToHexString());

    /// <summary>Sets raw value bytes (Little Endian; not copied).</summary>
    public DicomDataset Set(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value) => Set(new DicomElement(tag, vr, value));

    /// <summary>Sets a sequence with the given items and returns it.</summary>
    public DicomSequence SetSequence(DicomTag tag, params DicomDataset[] items)
    {
        var seq = new DicomSequence(tag, items);
        Set(seq);
        return seq;
    }

    /// <summary>Adds a value from text using the dictionary VR; throws if the tag is present.</summary>
    public DicomDataset Add(DicomTag tag, string? value)
    {
        if (Contains(tag)) throw new ArgumentException($"{tag} is already in the data set", nameof(tag));
        return Set(tag, value);
    }
}
