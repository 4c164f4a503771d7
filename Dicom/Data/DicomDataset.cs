using System.Collections;

namespace Mirc.Dicom;

/// <summary>
/// An ordered (by tag) collection of data elements: a top-level data set, the File Meta group, a command set or a sequence item.
/// Typed getters/setters are in the partial files DicomDataset.Get.cs and DicomDataset.Set.cs.
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomElement>
{
    private readonly List<DicomElement> elements;
    private DicomCharacterSet? characterSet;

    /// <summary>Creates an empty data set.</summary>
    public DicomDataset() => elements = [];

    /// <summary>Creates a data set holding copies of the given elements' references.</summary>
    public DicomDataset(IEnumerable<DicomElement> items) : this()
    {
        foreach (var e in items) Set(e);
    }

    internal DicomDataset(int capacity) => elements = new List<DicomElement>(capacity);

    /// <summary>The data set containing the sequence this item belongs to, or null for a top-level data set.</summary>
    public DicomDataset? Parent { get; internal set; }

    /// <summary>Number of elements.</summary>
    public int Count => elements.Count;

    /// <summary>The character set from (0008,0005) of this data set or, for items, of the nearest enclosing data set that has one.</summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (characterSet is not null) return characterSet;
            if (TryGetElement(DicomTag.SpecificCharacterSet, out var e))
            {
                var text = DicomCharacterSet.Default.Decode(e.Buffer.Span, DicomVR.CS);
                return characterSet = DicomCharacterSet.FromTerms(text.Split('\\'));
            }
            return Parent?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    /// <summary>The element with this tag, or null.</summary>
    public DicomElement? this[DicomTag tag] => TryGetElement(tag, out var e) ? e : null;

    /// <summary>True when an element with this tag exists.</summary>
    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    /// <summary>Finds an element.</summary>
    public bool TryGetElement(DicomTag tag, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomElement? element)
    {
        int i = IndexOf(tag);
        element = i >= 0 ? elements[i] : null;
        return element is not null;
    }

    /// <summary>Adds an element; throws <see cref="ArgumentException"/> if the tag is already present.</summary>
    public DicomDataset Add(DicomElement element)
    {
        int i = IndexOf(element.Tag);
        if (i >= 0) throw new ArgumentException($"{element.Tag} is already in the data set", nameof(element));
        Insert(~i, element);
        return this;
    }

    /// <summary>Adds or replaces an element.</summary>
    public DicomDataset Set(DicomElement element)
    {
        int i = IndexOf(element.Tag);
        if (i >= 0)
        {
            elements[i] = element;
            OnChanged(element);
        }
        else
        {
            Insert(~i, element);
        }
        return this;
    }

    /// <summary>Removes an element; returns false if it was absent.</summary>
    public bool Remove(DicomTag tag)
    {
        int i = IndexOf(tag);
        if (i < 0) return false;
        elements.RemoveAt(i);
        if (tag == DicomTag.SpecificCharacterSet) characterSet = null;
        return true;
    }

    /// <summary>Removes all elements matching a predicate (e.g. a group); returns how many were removed.</summary>
    public int RemoveAll(Predicate<DicomElement> match)
    {
        int n = elements.RemoveAll(match);
        characterSet = null;
        return n;
    }

    /// <summary>Removes every element.</summary>
    public void Clear()
    {
        elements.Clear();
        characterSet = null;
    }

    /// <summary>A shallow copy: same element objects, new list (sequence items are shared).</summary>
    public DicomDataset Clone()
    {
        var copy = new DicomDataset(elements.Count);
        copy.elements.AddRange(elements);
        return copy;
    }

    /// <inheritdoc/>
    public IEnumerator<DicomElement> GetEnumerator() => elements.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The elements as a list in tag order (no copy).</summary>
    public IReadOnlyList<DicomElement> Elements => elements;

    // Readers append in ascending tag order; fall back to sorted insert (and last-wins) for out-of-order input.
    internal void AppendFromReader(DicomElement element)
    {
        int n = elements.Count;
        if (n == 0 || elements[n - 1].Tag.Value < element.Tag.Value)
        {
            elements.Add(element);
            if (element is DicomSequence s) foreach (var item in s.Items) item.Parent = this;
            if (element.Tag == DicomTag.SpecificCharacterSet) characterSet = null;
            return;
        }
        Set(element);
    }

    private void Insert(int index, DicomElement element)
    {
        elements.Insert(index, element);
        OnChanged(element);
    }

    private void OnChanged(DicomElement element)
    {
        if (element is DicomSequence s) foreach (var item in s.Items) item.Parent = this;
        if (element.Tag == DicomTag.SpecificCharacterSet) characterSet = null;
    }

    private int IndexOf(DicomTag tag)
    {
        // Binary search over the sorted list.
        int lo = 0, hi = elements.Count - 1;
        uint v = tag.Value;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint m = elements[mid].Tag.Value;
            if (m == v) return mid;
            if (m < v) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }
}
