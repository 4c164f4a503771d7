using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Mirc.Dicom;

/// <summary>Native DICOM Model XML (PS3.19 Annex A): write with <see cref="XmlWriter"/>, read from any <see cref="XmlReader"/>.</summary>
public static class DicomXml
{
    /// <summary>The PS3.19 namespace.</summary>
    public const string Namespace = "http://dicom.nema.org/PS3.19/models/NativeDICOM";

    private static readonly string[] PersonNameComponents = ["FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"];

    /// <summary>Writes a data set as a NativeDicomModel document element.</summary>
    public static void Write(XmlWriter writer, DicomDataset dataset, BulkDataUriResolver? resolver = null) =>
        Write(writer, dataset, resolver is null ? DicomJsonOptions.Default : new DicomJsonOptions { BulkDataUriResolver = resolver });

    /// <summary>Writes a data set as a NativeDicomModel document element.</summary>
    public static void Write(XmlWriter writer, DicomDataset dataset, DicomJsonOptions options)
    {
        writer.WriteStartElement("NativeDicomModel", Namespace);
        writer.WriteAttributeString("xml", "space", null, "preserve");
        WriteAttributes(writer, dataset, options);
        writer.WriteEndElement();
    }

    /// <summary>Serializes a data set to a UTF-8 XML document.</summary>
    public static byte[] Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        using var ms = new MemoryStream();
        using (var writer = XmlWriter.Create(ms, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, NewLineHandling = NewLineHandling.Entitize }))
        {
            writer.WriteStartDocument();
            Write(writer, dataset, options ?? DicomJsonOptions.Default);
            writer.WriteEndDocument();
        }
        return ms.ToArray();
    }

    private static void WriteAttributes(XmlWriter w, DicomDataset ds, DicomJsonOptions options)
    {
        foreach (var e in ds)
        {
            if (options.SkipGroupLengths && e.Tag.IsGroupLength) continue;
            w.WriteStartElement("DicomAttribute", Namespace);
            // PS3.19: a private data element is named by its creator plus gggg00ee (the block byte is dropped).
            var creator = e.Tag.IsPrivate && !e.Tag.IsPrivateCreator && e.Tag.Element > 0xFF ? PrivateCreator(ds, e.Tag) : null;
            w.WriteAttributeString("tag", creator is null ? e.Tag.ToHexString() : new DicomTag(e.Tag.Group, (ushort)(e.Tag.Element & 0xFF)).ToHexString());
            w.WriteAttributeString("vr", e.VR == DicomVR.None ? "UN" : e.VR.Code());
            if (options.WriteKeywords && !e.Tag.IsPrivate && DicomDictionary.GetKeyword(e.Tag) is { } keyword) w.WriteAttributeString("keyword", keyword);
            if (creator is not null) w.WriteAttributeString("privateCreator", creator);
            WriteValue(w, e, ds, options);
            w.WriteEndElement();
        }
    }

    private static string? PrivateCreator(DicomDataset ds, DicomTag tag)
    {
        var creatorTag = new DicomTag(tag.Group, (ushort)(tag.Element >> 8));
        return ds.TryGetString(creatorTag, out var creator) ? creator : null;
    }

    private static void WriteValue(XmlWriter w, DicomElement e, DicomDataset owner, DicomJsonOptions options)
    {
        switch (e)
        {
            case DicomBulkDataReference r:
                WriteBulk(w, r.Uri);
                return;
            case DicomSequence seq:
                for (int i = 0; i < seq.Items.Count; i++)
                {
                    w.WriteStartElement("Item", Namespace);
                    w.WriteAttributeString("number", (i + 1).ToString(CultureInfo.InvariantCulture));
                    WriteAttributes(w, seq.Items[i], options);
                    w.WriteEndElement();
                }
                return;
            case DicomFragmentSequence:
                if (options.BulkDataUriResolver?.Invoke(e, owner) is { } fragUri) WriteBulk(w, fragUri);
                return;
        }
        if (e.Buffer.IsEmpty) return;
        bool binary = e.VR is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN or DicomVR.None;
        bool bulkCandidate = binary || e.VR is DicomVR.UT or DicomVR.LT or DicomVR.UC or DicomVR.UR;
        if (bulkCandidate && e.Buffer.Length >= options.BulkDataThreshold && options.BulkDataUriResolver?.Invoke(e, owner) is { } uri)
        {
            WriteBulk(w, uri);
            return;
        }
        if (binary)
        {
            w.WriteStartElement("InlineBinary", Namespace);
            var bytes = e.Buffer.Span;
            w.WriteString(Convert.ToBase64String(bytes));
            w.WriteEndElement();
            return;
        }
        string[] values = e.VR == DicomVR.AT
            ? Enumerable.Range(0, e.ValueCount).Select(i => owner.TryGetTag(e.Tag, i, out var t) ? t.ToHexString() : "").ToArray()
            : owner.GetStrings(e.Tag);
        for (int i = 0; i < values.Length; i++)
        {
            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (e.VR == DicomVR.PN)
            {
                w.WriteStartElement("PersonName", Namespace);
                w.WriteAttributeString("number", number);
                var pn = DicomPersonName.Parse(values[i]);
                WriteNameGroup(w, "Alphabetic", pn.Alphabetic);
                WriteNameGroup(w, "Ideographic", pn.Ideographic);
                WriteNameGroup(w, "Phonetic", pn.Phonetic);
                w.WriteEndElement();
                continue;
            }
            w.WriteStartElement("Value", Namespace);
            w.WriteAttributeString("number", number);
            w.WriteString(values[i]);
            w.WriteEndElement();
        }
    }

    private static void WriteNameGroup(XmlWriter w, string name, string group)
    {
        if (group.Length == 0) return;
        w.WriteStartElement(name, Namespace);
        var parts = DicomPersonName.Components(group);
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0) continue;
            w.WriteElementString(PersonNameComponents[i], Namespace, parts[i]);
        }
        w.WriteEndElement();
    }

    private static void WriteBulk(XmlWriter w, string uri)
    {
        w.WriteStartElement("BulkData", Namespace);
        w.WriteAttributeString("uri", uri);
        w.WriteEndElement();
    }

    /// <summary>Reads a NativeDicomModel document.</summary>
    public static DicomDataset Read(XmlReader reader)
    {
        try
        {
            var root = XElement.Load(reader);
            if (root.Name.LocalName != "NativeDicomModel") throw new DicomFormatException($"root element is {root.Name.LocalName}, not NativeDicomModel");
            var ds = new DicomDataset();
            ReadAttributes(root, ds, 0);
            return ds;
        }
        catch (Exception e) when (e is XmlException or FormatException or ArgumentException or OverflowException)
        {
            throw new DicomFormatException("invalid Native DICOM Model XML: " + e.Message, e);
        }
    }

    /// <summary>Reads a NativeDicomModel document from UTF-8 (or declared-encoding) bytes.</summary>
    public static DicomDataset Read(ReadOnlyMemory<byte> xml)
    {
        using var stream = new MemoryStream(xml.ToArray(), false);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        return Read(reader);
    }

    private static void ReadAttributes(XElement parent, DicomDataset ds, int depth)
    {
        if (depth > 64) throw new DicomFormatException("Native DICOM Model XML nests deeper than 64 sequences");
        foreach (var a in parent.Elements().Where(x => x.Name.LocalName == "DicomAttribute"))
        {
            var tag = DicomTag.Parse((string?)a.Attribute("tag") ?? throw new DicomFormatException("DicomAttribute without tag"));
            if ((string?)a.Attribute("privateCreator") is { } creatorName && tag.IsPrivate && tag.Element <= 0xFF)
                tag = ResolvePrivateTag(ds, tag, creatorName);
            var vrText = (string?)a.Attribute("vr");
            DicomVR vr = DicomVR.None;
            if (vrText is not null && !DicomVRInfo.TryParse(vrText, out vr)) throw new DicomFormatException($"unknown VR '{vrText}' for {tag}");
            if (vr == DicomVR.None) vr = DicomDictionary.GetImplicitVR(tag);
            var children = a.Elements().ToList();
            if (vr == DicomVR.SQ)
            {
                var items = new List<DicomDataset>();
                foreach (var itemXml in children.Where(c => c.Name.LocalName == "Item").OrderBy(c => ItemNumber(c)))
                {
                    var item = new DicomDataset { Parent = ds };
                    ReadAttributes(itemXml, item, depth + 1);
                    items.Add(item);
                }
                ds.SetSequence(tag, [.. items]);
                continue;
            }
            if (children.FirstOrDefault(c => c.Name.LocalName == "BulkData") is { } bulk)
            {
                ds.Set(new DicomBulkDataReference(tag, vr, (string?)bulk.Attribute("uri") ?? (string?)bulk.Attribute("uuid") ?? ""));
                continue;
            }
            if (children.FirstOrDefault(c => c.Name.LocalName == "InlineBinary") is { } inline)
            {
                ds.Set(tag, vr, Convert.FromBase64String(inline.Value.Trim()));
                continue;
            }
            var values = new SortedDictionary<int, string>();
            foreach (var v in children)
            {
                int n = ItemNumber(v);
                if (v.Name.LocalName == "Value") values[n] = v.Value;
                else if (v.Name.LocalName == "PersonName") values[n] = ReadPersonName(v);
            }
            if (values.Count == 0)
            {
                ds.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
                continue;
            }
            if (!vr.IsString() && vr.ValueSize() == 0) throw new DicomFormatException($"{tag} with VR {vr} needs InlineBinary or BulkData");
            int count = values.Keys.Max();
            var array = new string[count];
            for (int i = 0; i < count; i++) array[i] = values.TryGetValue(i + 1, out var s) ? s : "";
            ds.Set(tag, vr, array);
        }
    }

    // Finds (or reserves) the private block of the creator in this data set and places the element in it.
    private static DicomTag ResolvePrivateTag(DicomDataset ds, DicomTag tag, string creatorName)
    {
        for (ushort block = 0x10; block <= 0xFF; block++)
        {
            var creatorTag = new DicomTag(tag.Group, block);
            if (!ds.TryGetString(creatorTag, out var existing))
            {
                ds.Set(creatorTag, DicomVR.LO, creatorName);
                return new DicomTag(tag.Group, (ushort)(block << 8 | tag.Element));
            }
            if (existing == creatorName) return new DicomTag(tag.Group, (ushort)(block << 8 | tag.Element));
        }
        throw new DicomFormatException($"no free private block for creator '{creatorName}' in group {tag.Group:X4}");
    }

    private static int ItemNumber(XElement e) =>
        int.TryParse((string?)e.Attribute("number"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 1_000_000 ? n : 1;

    private static string ReadPersonName(XElement pn)
    {
        string Group(string name)
        {
            var g = pn.Elements().FirstOrDefault(x => x.Name.LocalName == name);
            if (g is null) return "";
            var parts = PersonNameComponents.Select(c => g.Elements().FirstOrDefault(x => x.Name.LocalName == c)?.Value ?? "").ToArray();
            int last = parts.Length - 1;
            while (last > 0 && parts[last].Length == 0) last--;
            return string.Join('^', parts, 0, last + 1);
        }

        return DicomPersonName.FromGroups(Group("Alphabetic"), Group("Ideographic"), Group("Phonetic")).ToString();
    }
}
