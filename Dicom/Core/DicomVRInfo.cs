namespace Mirc.Dicom;

/// <summary>Encoding facts about each <see cref="DicomVR"/> (PS3.5 §6.2, §7.1.2).</summary>
public static class DicomVRInfo
{
    /// <summary>Parses a two-letter code; returns false for anything that is not a known VR.</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out DicomVR vr)
    {
        vr = DicomVR.None;
        if (code.Length != 2 || code[0] > 0x7F || code[1] > 0x7F) return false;
        return TryFromCode((ushort)(code[0] << 8 | code[1]), out vr);
    }

    /// <summary>Maps the two raw bytes of an Explicit VR header to a VR; false if they name no VR.</summary>
    public static bool TryFromBytes(byte first, byte second, out DicomVR vr) => TryFromCode((ushort)(first << 8 | second), out vr);

    /// <summary>Maps the big-endian 16-bit code to a VR; false if unknown.</summary>
    public static bool TryFromCode(ushort code, out DicomVR vr)
    {
        vr = (DicomVR)code;
        switch (vr)
        {
            case DicomVR.AE: case DicomVR.AS: case DicomVR.AT: case DicomVR.CS: case DicomVR.DA: case DicomVR.DS:
            case DicomVR.DT: case DicomVR.FD: case DicomVR.FL: case DicomVR.IS: case DicomVR.LO: case DicomVR.LT:
            case DicomVR.OB: case DicomVR.OD: case DicomVR.OF: case DicomVR.OL: case DicomVR.OV: case DicomVR.OW:
            case DicomVR.PN: case DicomVR.SH: case DicomVR.SL: case DicomVR.SQ: case DicomVR.SS: case DicomVR.ST:
            case DicomVR.SV: case DicomVR.TM: case DicomVR.UC: case DicomVR.UI: case DicomVR.UL: case DicomVR.UN:
            case DicomVR.UR: case DicomVR.US: case DicomVR.UT: case DicomVR.UV:
                return true;
            default:
                vr = DicomVR.None;
                return false;
        }
    }

    /// <summary>True when Explicit VR encodes the length on 4 bytes after 2 reserved bytes.</summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR
        or DicomVR.UT or DicomVR.UV;

    /// <summary>True for character-string VRs decoded through the specific character set or the default repertoire.</summary>
    public static bool IsString(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA
        or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH
        or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    /// <summary>True for string VRs whose bytes go through (0008,0005) Specific Character Set.</summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => vr is DicomVR.LO or DicomVR.LT or DicomVR.PN
        or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT;

    /// <summary>True for string VRs that hold one value only (backslash is not a delimiter).</summary>
    public static bool IsSingleValuedText(this DicomVR vr) => vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;

    /// <summary>Byte size of one binary value (AT=4, US=2 …), 0 for strings, SQ, OB and UN.</summary>
    public static int ValueSize(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL or DicomVR.AT => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 0,
    };

    /// <summary>Byte appended to odd-length values: space for text, NUL for UI and binary.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr.IsString() && vr != DicomVR.UI ? (byte)' ' : (byte)0;

    /// <summary>The two-letter code.</summary>
    public static string Code(this DicomVR vr) => vr == DicomVR.None ? "??" : vr.ToString();
}
