using System.Buffers.Binary;
using System.Text;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Writes small, valid Part 10 files (Secondary Capture, 16x16 MONOCHROME2) in Implicit or Explicit VR LE.</summary>
internal static class TestFiles
{
    public const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";

    public static string NewUid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray().Append((byte)0).ToArray());

    public static byte[] Create(string sopInstanceUid, string studyUid, string transferSyntax, string patientId = "PID1", int pixelBytes = 512, byte seed = 1)
    {
        var explicitVr = transferSyntax != DicomUids.ImplicitVRLittleEndian;
        var data = new MemoryStream();
        Element(data, explicitVr, 0x0008, 0x0016, "UI", Uid(SecondaryCapture));
        Element(data, explicitVr, 0x0008, 0x0018, "UI", Uid(sopInstanceUid));
        Element(data, explicitVr, 0x0008, 0x0060, "CS", Text("OT"));
        Element(data, explicitVr, 0x0010, 0x0010, "PN", Text("TEST^PATIENT"));
        Element(data, explicitVr, 0x0010, 0x0020, "LO", Text(patientId));
        Element(data, explicitVr, 0x0020, 0x000D, "UI", Uid(studyUid));
        Element(data, explicitVr, 0x0020, 0x000E, "UI", Uid(studyUid + ".1"));
        Element(data, explicitVr, 0x0028, 0x0002, "US", U16(1));
        Element(data, explicitVr, 0x0028, 0x0004, "CS", Text("MONOCHROME2"));
        var side = (ushort)Math.Sqrt(pixelBytes / 2);
        Element(data, explicitVr, 0x0028, 0x0010, "US", U16(side));
        Element(data, explicitVr, 0x0028, 0x0011, "US", U16(side));
        Element(data, explicitVr, 0x0028, 0x0100, "US", U16(16));
        Element(data, explicitVr, 0x0028, 0x0101, "US", U16(16));
        Element(data, explicitVr, 0x0028, 0x0102, "US", U16(15));
        Element(data, explicitVr, 0x0028, 0x0103, "US", U16(0));
        var pixels = new byte[side * side * 2];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * seed);
        Element(data, explicitVr, 0x7FE0, 0x0010, "OW", pixels);

        var meta = new MemoryStream();
        Element(meta, true, 0x0002, 0x0001, "OB", [0, 1]);
        Element(meta, true, 0x0002, 0x0002, "UI", Uid(SecondaryCapture));
        Element(meta, true, 0x0002, 0x0003, "UI", Uid(sopInstanceUid));
        Element(meta, true, 0x0002, 0x0010, "UI", Uid(transferSyntax));
        Element(meta, true, 0x0002, 0x0012, "UI", Uid("2.25.1"));
        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        Element(file, true, 0x0002, 0x0000, "UL", U32((uint)meta.Length));
        meta.WriteTo(file);
        data.WriteTo(file);
        return file.ToArray();
    }

    /// <summary>Dataset bytes of a Part 10 file (what goes over the wire).</summary>
    public static byte[] DataSetOf(byte[] part10)
    {
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(132 + 8));
        return part10[(132 + 12 + (int)groupLength)..];
    }

    private static void Element(Stream s, bool explicitVr, ushort group, ushort element, string vr, byte[] value)
    {
        Span<byte> h = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(h, group);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], element);
        if (!explicitVr)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)value.Length);
            s.Write(h[..8]);
        }
        else if (vr is "OB" or "OW" or "SQ" or "UN" or "UT")
        {
            h[4] = (byte)vr[0];
            h[5] = (byte)vr[1];
            h[6] = h[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)value.Length);
            s.Write(h);
        }
        else
        {
            h[4] = (byte)vr[0];
            h[5] = (byte)vr[1];
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)value.Length);
            s.Write(h[..8]);
        }
        s.Write(value);
    }

    private static byte[] Uid(string uid) => Pad(Encoding.ASCII.GetBytes(uid), 0);
    private static byte[] Text(string text) => Pad(Encoding.ASCII.GetBytes(text), (byte)' ');

    private static byte[] Pad(byte[] v, byte pad)
    {
        if ((v.Length & 1) == 0) return v;
        Array.Resize(ref v, v.Length + 1);
        v[^1] = pad;
        return v;
    }

    private static byte[] U16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }
    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
}
