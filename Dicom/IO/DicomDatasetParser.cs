using System.Buffers.Binary;

namespace Mirc.Dicom;

/// <summary>
/// Synchronous element parser over one buffer. Values are slices of the buffer (no copy) except for big-endian
/// binary values, which are swapped into new arrays. When the buffer ends early it throws
/// <see cref="NeedMoreDataException"/> (more input may come) or <see cref="DicomFormatException"/> (input is final).
/// </summary>
internal sealed class DicomDatasetParser
{
    private readonly ReadOnlyMemory<byte> data;
    private readonly long baseOffset;
    private readonly bool isFinal;
    private readonly DicomReadOptions options;
    private bool explicitVR;
    private bool bigEndian;

    public DicomDatasetParser(ReadOnlyMemory<byte> data, long baseOffset, bool isFinal, bool explicitVR, bool bigEndian, DicomReadOptions options)
    {
        this.data = data;
        this.baseOffset = baseOffset;
        this.isFinal = isFinal;
        this.explicitVR = explicitVR;
        this.bigEndian = bigEndian;
        this.options = options;
    }

    public static bool IsPixelDataTag(DicomTag tag) => tag.Value is 0x7FE00010 or 0x7FE00008 or 0x7FE00009;

    /// <summary>
    /// Parses one top-level element at <paramref name="pos"/>. Returns false without consuming anything when it is the
    /// Pixel Data element and <paramref name="stopAtPixelData"/> is set (the header is returned instead).
    /// </summary>
    public bool ParseTopLevel(ref int pos, DicomDataset target, bool stopAtPixelData, out DicomElementHeader pixelHeader)
    {
        pixelHeader = default;
        if (isFinal && data.Length - pos < 8)
        {
            // A few stray bytes after the last element (odd padding written by some tools): dcmdump ignores them too —
            // unless they are not zeros and truncation is refused: then they are the start of a cut element header.
            if (options.RefuseTruncation && data.Span[pos..].ContainsAnyExcept((byte)0))
            {
                throw new DicomFormatException($"the input ends inside an element header: {data.Length - pos} of its 8 or more bytes (byte offset {baseOffset + pos})") { Offset = baseOffset + pos };
            }

            pos = data.Length;
            return true;
        }
        var header = ReadHeader(pos, data.Length);
        if (header.Tag.Value == 0 && header.Length == 0)
        {
            // Zero bytes after the data set (block-padded media): an empty (0000,0000) is not a data set element.
            pos += 8;
            return true;
        }
        if (header.Tag.Group == 0xFFFE)
        {
            // Stray delimiters at top level: tolerated and dropped (seen after badly truncated sequences).
            if (header.Tag != DicomTag.Item) { pos += 8; return true; }
            throw Error("item tag outside a sequence", header.Tag, pos);
        }
        if (stopAtPixelData && IsPixelDataTag(header.Tag))
        {
            pixelHeader = header;
            return false;
        }
        var element = ParseElement(ref pos, header, 0, data.Length);
        target.AppendFromReader(ResolveAmbiguousVR(element, target));
        return true;
    }

    /// <summary>Parses elements until the end of the buffer (bare data sets, command sets).</summary>
    public void ParseAll(ref int pos, DicomDataset target)
    {
        while (pos < data.Length)
        {
            ParseTopLevel(ref pos, target, false, out _);
        }
    }

    public DicomElementHeader ReadHeader(int pos, int limit)
    {
        Need(pos, 8, limit, default);
        var span = data.Span;
        var tag = new DicomTag(U16(span, pos), U16(span, pos + 2));
        if (tag.Group == 0xFFFE) return new DicomElementHeader(tag, DicomVR.None, U32(span, pos + 4), 8);
        if (explicitVR && DicomVRInfo.TryFromBytes(span[pos + 4], span[pos + 5], out var vr))
        {
            if (vr.HasLongLength())
            {
                Need(pos, 12, limit, tag);
                return new DicomElementHeader(tag, vr, U32(span, pos + 8), 12);
            }
            return new DicomElementHeader(tag, vr, U16(span, pos + 6), 8);
        }
        if (explicitVR && IsUpperLetter(span[pos + 4]) && IsUpperLetter(span[pos + 5]))
        {
            // A VR this dictionary does not know (a newer standard's, or a writer's typo): like dcmtk, read it as UN
            // with the 4-byte length every VR added since 2000 uses.
            Need(pos, 12, limit, tag);
            return new DicomElementHeader(tag, DicomVR.UN, U32(span, pos + 8), 12);
        }
        // Implicit VR, or an Explicit VR stream with an element written in Implicit VR (tolerated).
        return new DicomElementHeader(tag, DicomDictionary.GetImplicitVR(tag), U32(span, pos + 4), 8);
    }

    private DicomElement ParseElement(ref int pos, DicomElementHeader h, int depth, int limit)
    {
        int start = pos;
        pos += h.Size;
        if (h.IsUndefinedLength)
        {
            // Encapsulated pixel data at any depth (icon images in sequence items), and OB/OW of undefined length
            // holding fragment items as dcmtk and pydicom read them.
            if (h.VR != DicomVR.SQ && h.VR != DicomVR.UN && (IsPixelDataTag(h.Tag) || h.VR is DicomVR.OB or DicomVR.OW))
                return ParseEncapsulated(ref pos, h, limit, start);
            if (h.VR is DicomVR.SQ or DicomVR.UN || !explicitVR || h.VR == DicomVR.None
                || DicomDictionary.GetImplicitVR(h.Tag) == DicomVR.SQ || StartsWithItem(pos, limit))
            {
                // UN of undefined length holds an Implicit VR LE sequence (PS3.5 §6.2.2).
                bool saveExplicit = explicitVR, saveBig = bigEndian;
                if (h.VR == DicomVR.UN && explicitVR) { explicitVR = false; bigEndian = false; }
                try
                {
                    return ParseSequence(ref pos, h.Tag, -1, depth, limit);
                }
                finally
                {
                    explicitVR = saveExplicit;
                    bigEndian = saveBig;
                }
            }
            throw Error($"undefined length for VR {h.VR}", h.Tag, start);
        }
        long length = h.Length;
        if (length > options.MaxElementLength) throw Error($"value length {length} exceeds the limit {options.MaxElementLength}", h.Tag, start);
        if (h.VR == DicomVR.SQ && Overruns(pos, length, limit))
        {
            // A sequence longer than what encloses it (a length computed before an edit): read what is there, as dcmtk does.
            length = limit - pos;
        }
        Need(pos, length, limit, h.Tag);
        if (h.VR == DicomVR.UN && !bigEndian && DicomDictionary.KnownVRForUnknown(h.Tag) is { } known)
        {
            // A UN value is the Implicit VR LE encoding of the element (PS3.5 §6.2.2): an attribute the dictionary knows
            // (a standard one, a private creator) is read with its VR, as pydicom does, so that its UIDs, dates and names
            // are values, not bytes (GDCM writes whole data sets as UN). The stored file keeps its bytes.
            if (known == DicomVR.SQ)
            {
                bool saveExplicit = explicitVR;
                explicitVR = false;
                try
                {
                    return ParseSequence(ref pos, h.Tag, pos + (int)length, depth, limit);
                }
                finally
                {
                    explicitVR = saveExplicit;
                }
            }
            h = h with { VR = known };
        }
        if (h.VR == DicomVR.SQ) return ParseSequence(ref pos, h.Tag, pos + (int)length, depth, limit);
        var value = data.Slice(pos, (int)length);
        pos += (int)length;
        if (bigEndian) value = SwapToLittleEndian(h.VR, value);
        return new DicomElement(h.Tag, h.VR, value);
    }

    private DicomSequence ParseSequence(ref int pos, DicomTag tag, int end, int depth, int limit)
    {
        if (depth + 1 > options.MaxDepth) throw Error($"sequence nesting deeper than {options.MaxDepth}", tag, pos);
        var seq = new DicomSequence(tag);
        int seqLimit = end >= 0 ? end : limit;
        while (true)
        {
            if (end >= 0 && pos >= end) break;
            var ih = ReadHeader(pos, seqLimit);
            if (ih.Tag == DicomTag.SequenceDelimitationItem)
            {
                pos += 8;
                break;
            }
            if (ih.Tag != DicomTag.Item) throw Error($"expected an item in sequence {tag}, found {ih.Tag}", ih.Tag, pos);
            pos += 8;
            var item = new DicomDataset { Parent = null };
            if (ih.IsUndefinedLength)
            {
                ParseItemElements(ref pos, item, -1, depth + 1, seqLimit);
            }
            else
            {
                long itemLength = Overruns(pos, ih.Length, seqLimit) ? seqLimit - pos : ih.Length;
                Need(pos, itemLength, seqLimit, ih.Tag);
                int itemEnd = pos + (int)itemLength;
                ParseItemElements(ref pos, item, itemEnd, depth + 1, itemEnd);
                pos = itemEnd;
            }
            seq.Items.Add(item);
        }
        return seq;
    }

    private void ParseItemElements(ref int pos, DicomDataset item, int end, int depth, int limit)
    {
        while (true)
        {
            if (end >= 0 && pos >= end) return;
            var h = ReadHeader(pos, limit);
            if (h.Tag == DicomTag.ItemDelimitationItem)
            {
                pos += 8;
                return;
            }
            if (h.Tag.Group == 0xFFFE) throw Error("unexpected delimiter inside an item", h.Tag, pos);
            item.AppendFromReader(ResolveAmbiguousVR(ParseElement(ref pos, h, depth, limit), item));
        }
    }

    private DicomFragmentSequence ParseEncapsulated(ref int pos, DicomElementHeader h, int limit, int start)
    {
        ReadOnlyMemory<byte> offsetTable = default;
        var fragments = new List<ReadOnlyMemory<byte>>();
        bool first = true;
        while (true)
        {
            var ih = ReadHeader(pos, limit);
            if (ih.Tag == DicomTag.SequenceDelimitationItem)
            {
                pos += 8;
                break;
            }
            if (ih.Tag != DicomTag.Item || ih.IsUndefinedLength)
                throw Error("expected a fragment item in encapsulated pixel data", ih.Tag, pos);
            pos += 8;
            Need(pos, ih.Length, limit, h.Tag);
            var value = data.Slice(pos, (int)ih.Length);
            pos += (int)ih.Length;
            if (first) offsetTable = value; else fragments.Add(value);
            first = false;
        }
        _ = start;
        // Encapsulated pixel data is OB whatever a writer declared (PS3.5 A.4; pydicom writes OW for 16-bit samples), as
        // dcmtk reads it: a data set written back from it (a research export) says OB.
        return new DicomFragmentSequence(h.Tag, DicomVR.OB, offsetTable, fragments);
    }

    // Implicit VR "US or SS" attributes are SS when Pixel Representation (0028,0103) says signed (PS3.5 Annex C).
    private DicomElement ResolveAmbiguousVR(DicomElement e, DicomDataset owner)
    {
        if (explicitVR || e.VR != DicomVR.US || e.Tag.Group is not (0x0018 or 0x0022 or 0x0028 or 0x0040 or 0x0060) || DicomDictionary.GetAlternateVR(e.Tag) != DicomVR.SS)
            return e;
        for (var ds = owner; ds is not null; ds = ds.Parent)
        {
            if (ds.TryGetElement(DicomTag.PixelRepresentation, out var pr))
                return pr.Buffer.Length >= 2 && pr.Buffer.Span[0] == 1 ? new DicomElement(e.Tag, DicomVR.SS, e.Buffer) : e;
        }
        return e;
    }

    private static ReadOnlyMemory<byte> SwapToLittleEndian(DicomVR vr, ReadOnlyMemory<byte> value)
    {
        int unit = vr == DicomVR.AT ? 2 : vr.ValueSize();
        if (unit <= 1 || value.IsEmpty) return value;
        var copy = value.ToArray();
        int n = copy.Length - copy.Length % unit;
        for (int i = 0; i < n; i += unit) copy.AsSpan(i, unit).Reverse();
        return copy;
    }

    /// <summary>
    /// True when a declared length passes the end of its container and no more input can come to fill it — and may be
    /// read short: a container that is the input itself, when truncation is refused, is a cut file, not a length
    /// computed before an edit.
    /// </summary>
    private bool Overruns(int pos, long length, int limit) =>
        pos + length > limit && (limit < data.Length || (isFinal && !options.RefuseTruncation));

    private bool StartsWithItem(int pos, int limit) =>
        pos + 4 <= limit && U16(data.Span, pos) == 0xFFFE && U16(data.Span, pos + 2) == 0xE000;

    private static bool IsUpperLetter(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private void Need(int pos, long count, int limit, DicomTag tag)
    {
        if (pos + count <= limit) return;
        if (limit < data.Length || isFinal)
        {
            string where = limit < data.Length ? "its enclosing item or sequence" : "the input";
            throw Error($"{count} bytes needed but {Math.Max(0, limit - pos)} remain in {where}", tag, pos);
        }
        throw new NeedMoreDataException(pos + count);
    }

    private DicomFormatException Error(string what, DicomTag tag, int pos) => new(what, tag, baseOffset + pos);

    private ushort U16(ReadOnlySpan<byte> s, int at) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    private uint U32(ReadOnlySpan<byte> s, int at) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
}
