using System.Buffers;
using System.Buffers.Binary;

namespace Mirc.Dicom;

/// <summary>Encodes elements in a given transfer syntax into an <see cref="IBufferWriter{T}"/>: headers, padding, sequences, fragments, byte swapping.</summary>
internal sealed class DicomElementEncoder(IBufferWriter<byte> output, bool explicitVR, bool bigEndian, DicomWriteOptions options)
{
    private const uint Undefined = 0xFFFFFFFF;

    /// <summary>Elements to write for a data set: existing group lengths dropped, (0000,0000)/(0002,0000) recomputed and placed first in their group.</summary>
    public IEnumerable<DicomElement> ElementsToWrite(DicomDataset ds)
    {
        var list = ds.Elements;
        int previousGroup = -1;
        for (int i = 0; i < list.Count; i++)
        {
            var e = list[i];
            if (e.Tag.IsGroupLength) continue;
            if (e.Tag.Group is 0x0000 or 0x0002 && e.Tag.Group != previousGroup)
            {
                long len = 0;
                for (int j = i; j < list.Count && list[j].Tag.Group == e.Tag.Group; j++)
                    if (!list[j].Tag.IsGroupLength) len += GetLength(list[j]);
                var v = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(v, checked((uint)len));
                yield return new DicomElement(new DicomTag(e.Tag.Group, 0), DicomVR.UL, v);
            }
            previousGroup = e.Tag.Group;
            yield return e;
        }
    }

    public void WriteDataset(DicomDataset ds)
    {
        foreach (var e in ElementsToWrite(ds)) WriteElement(e);
    }

    public void WriteElement(DicomElement e)
    {
        switch (e)
        {
            case DicomBulkDataReference r:
                throw new InvalidOperationException($"{r.Tag} refers to bulk data at {r.Uri}: resolve it before writing");
            case DicomSequence seq:
                WriteSequence(seq);
                break;
            case DicomFragmentSequence frag:
                WriteHeader(frag.Tag, frag.VR is DicomVR.OB or DicomVR.OW ? frag.VR : DicomVR.OB, Undefined);
                WriteItem(frag.BasicOffsetTable);
                foreach (var f in frag.Fragments) WriteItem(f);
                WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
                break;
            default:
                int padded = e.Buffer.Length + (e.Buffer.Length & 1);
                var vr = WritableVR(e.VR, padded);
                WriteHeader(e.Tag, vr, (uint)padded);
                WriteValue(e.VR, e.Buffer.Span, e.VR.PaddingByte());
                break;
        }
    }

    /// <summary>Writes only the header of a plain element (the caller writes the value and padding).</summary>
    public void WriteHeaderFor(DicomElement e)
    {
        int padded = e.Buffer.Length + (e.Buffer.Length & 1);
        WriteHeader(e.Tag, WritableVR(e.VR, padded), (uint)padded);
    }

    /// <summary>Encoded size of an element including its header.</summary>
    public long GetLength(DicomElement e)
    {
        switch (e)
        {
            case DicomSequence seq:
                return HeaderSize(DicomVR.SQ) + SequenceValueLength(seq) + (options.DefinedLengthSequences ? 0 : 8);
            case DicomFragmentSequence frag:
                long len = HeaderSize(DicomVR.OB) + 8 + Even(frag.BasicOffsetTable.Length) + 8;
                foreach (var f in frag.Fragments) len += 8 + Even(f.Length);
                return len;
            default:
                long padded = Even(e.Buffer.Length);
                return HeaderSize(WritableVR(e.VR, padded)) + padded;
        }
    }

    /// <summary>Encoded size of a data set.</summary>
    public long GetLength(DicomDataset ds)
    {
        long len = 0;
        foreach (var e in ElementsToWrite(ds)) len += GetLength(e);
        return len;
    }

    private long SequenceValueLength(DicomSequence seq)
    {
        long len = 0;
        foreach (var item in seq.Items) len += 8 + GetLength(item) + (options.DefinedLengthSequences ? 0 : 8);
        return len;
    }

    private void WriteSequence(DicomSequence seq)
    {
        bool defined = options.DefinedLengthSequences;
        WriteHeader(seq.Tag, DicomVR.SQ, defined ? checked((uint)SequenceValueLength(seq)) : Undefined);
        foreach (var item in seq.Items)
        {
            WriteTagAndLength(DicomTag.Item, defined ? checked((uint)GetLength(item)) : Undefined);
            WriteDataset(item);
            if (!defined) WriteTagAndLength(DicomTag.ItemDelimitationItem, 0);
        }
        if (!defined) WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
    }

    private void WriteItem(ReadOnlyMemory<byte> value)
    {
        WriteTagAndLength(DicomTag.Item, (uint)Even(value.Length));
        WriteRaw(value.Span);
        if ((value.Length & 1) == 1) WriteRaw([0]);
    }

    // Values too long for a 16-bit length field are written as UN (PS3.5 §6.2.2 note).
    private DicomVR WritableVR(DicomVR vr, long paddedLength) =>
        explicitVR && !vr.HasLongLength() && paddedLength > 0xFFFF ? DicomVR.UN : vr == DicomVR.None ? DicomVR.UN : vr;

    private int HeaderSize(DicomVR vr) => !explicitVR ? 8 : vr.HasLongLength() ? 12 : 8;

    private static long Even(long n) => n + (n & 1);

    private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
    {
        if (!explicitVR)
        {
            WriteTagAndLength(tag, length);
            return;
        }
        bool isLong = vr.HasLongLength();
        var span = output.GetSpan(12);
        WriteU16(span, tag.Group);
        WriteU16(span[2..], tag.Element);
        span[4] = (byte)((ushort)vr >> 8);
        span[5] = (byte)vr;
        if (isLong)
        {
            span[6] = 0;
            span[7] = 0;
            WriteU32(span[8..], length);
            output.Advance(12);
        }
        else
        {
            WriteU16(span[6..], (ushort)length);
            output.Advance(8);
        }
    }

    private void WriteTagAndLength(DicomTag tag, uint length)
    {
        var span = output.GetSpan(8);
        WriteU16(span, tag.Group);
        WriteU16(span[2..], tag.Element);
        WriteU32(span[4..], length);
        output.Advance(8);
    }

    public void WriteValue(DicomVR vr, ReadOnlySpan<byte> value, byte padding)
    {
        int unit = vr == DicomVR.AT ? 2 : vr.ValueSize();
        if (bigEndian && unit > 1)
        {
            var span = output.GetSpan(value.Length + 1);
            value.CopyTo(span);
            int n = value.Length - value.Length % unit;
            for (int i = 0; i < n; i += unit) span.Slice(i, unit).Reverse();
            output.Advance(value.Length);
        }
        else
        {
            WriteRaw(value);
        }
        if ((value.Length & 1) == 1) WriteRaw([padding]);
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan(Math.Min(bytes.Length, 1 << 20));
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    private void WriteU16(Span<byte> s, ushort v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(s, v); else BinaryPrimitives.WriteUInt16LittleEndian(s, v);
    }

    private void WriteU32(Span<byte> s, uint v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(s, v); else BinaryPrimitives.WriteUInt32LittleEndian(s, v);
    }
}
