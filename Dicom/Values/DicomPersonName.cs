namespace Mirc.Dicom;

/// <summary>
/// A PN value: up to three component groups (alphabetic, ideographic, phonetic) separated by '=',
/// each of five components (family, given, middle, prefix, suffix) separated by '^'.
/// </summary>
public sealed record DicomPersonName
{
    /// <summary>Creates a name from its alphabetic components.</summary>
    public DicomPersonName(string family, string given = "", string middle = "", string prefix = "", string suffix = "")
    {
        Alphabetic = Join(family, given, middle, prefix, suffix);
    }

    private DicomPersonName(string alphabetic, string ideographic, string phonetic)
    {
        Alphabetic = alphabetic;
        Ideographic = ideographic;
        Phonetic = phonetic;
    }

    /// <summary>The alphabetic group, e.g. "DUPONT^Hélène".</summary>
    public string Alphabetic { get; init; } = string.Empty;
    /// <summary>The ideographic group.</summary>
    public string Ideographic { get; init; } = string.Empty;
    /// <summary>The phonetic group.</summary>
    public string Phonetic { get; init; } = string.Empty;

    /// <summary>Family name (alphabetic group, component 1).</summary>
    public string FamilyName => Component(Alphabetic, 0);
    /// <summary>Given name (component 2).</summary>
    public string GivenName => Component(Alphabetic, 1);
    /// <summary>Middle name (component 3).</summary>
    public string MiddleName => Component(Alphabetic, 2);
    /// <summary>Name prefix (component 4).</summary>
    public string NamePrefix => Component(Alphabetic, 3);
    /// <summary>Name suffix (component 5).</summary>
    public string NameSuffix => Component(Alphabetic, 4);

    /// <summary>Parses one PN value ("Family^Given=ideo=phon").</summary>
    public static DicomPersonName Parse(string value)
    {
        var groups = value.Split('=');
        return new DicomPersonName(groups[0].TrimEnd(' '), groups.Length > 1 ? groups[1].TrimEnd(' ') : "", groups.Length > 2 ? groups[2].TrimEnd(' ') : "");
    }

    /// <summary>Creates a name from its three groups.</summary>
    public static DicomPersonName FromGroups(string alphabetic, string ideographic = "", string phonetic = "") => new(alphabetic, ideographic, phonetic);

    /// <summary>The components of a group (always 5 entries, missing ones empty).</summary>
    public static string[] Components(string group)
    {
        var parts = group.Split('^');
        var result = new string[5];
        for (int i = 0; i < 5; i++) result[i] = i < parts.Length ? parts[i] : string.Empty;
        return result;
    }

    /// <summary>The encoded value with trailing empty groups and components removed.</summary>
    public override string ToString()
    {
        if (Phonetic.Length > 0) return $"{Alphabetic}={Ideographic}={Phonetic}";
        if (Ideographic.Length > 0) return $"{Alphabetic}={Ideographic}";
        return Alphabetic;
    }

    private static string Component(string group, int index)
    {
        int start = 0;
        for (int i = 0; i < index; i++)
        {
            int next = group.IndexOf('^', start);
            if (next < 0) return string.Empty;
            start = next + 1;
        }
        int end = group.IndexOf('^', start);
        return end < 0 ? group[start..] : group[start..end];
    }

    private static string Join(params string[] components)
    {
        int last = components.Length - 1;
        while (last > 0 && components[last].Length == 0) last--;
        return string.Join('^', components, 0, last + 1);
    }
}
