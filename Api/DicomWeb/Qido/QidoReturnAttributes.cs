namespace Mirc.Api.DicomWeb.Qido;

/// <summary>Default return attributes of each search level (PS3.18 Table 6.7.1-2), as tags.</summary>
public static class QidoReturnAttributes
{
    /// <summary>(0008,1190) Retrieve URL, computed by the server.</summary>
    public const uint RetrieveUrl = 0x0008_1190;

    /// <summary>Study-level defaults.</summary>
    public static IReadOnlyList<uint> Study { get; } =
    [
        0x0008_0005, // SpecificCharacterSet (when the source had one)
        0x0008_0020, // StudyDate
        0x0008_0030, // StudyTime
        0x0008_0050, // AccessionNumber
        0x0008_0056, // InstanceAvailability
        0x0008_0061, // ModalitiesInStudy
        0x0008_0090, // ReferringPhysicianName
        0x0008_0201, // TimezoneOffsetFromUTC
        RetrieveUrl,
        0x0010_0010, // PatientName
        0x0010_0020, // PatientID
        0x0010_0030, // PatientBirthDate
        0x0010_0040, // PatientSex
        0x0020_000D, // StudyInstanceUID
        0x0020_0010, // StudyID
        0x0020_1206, // NumberOfStudyRelatedSeries
        0x0020_1208, // NumberOfStudyRelatedInstances
    ];

    /// <summary>Series-level defaults.</summary>
    public static IReadOnlyList<uint> Series { get; } =
    [
        0x0008_0005, // SpecificCharacterSet
        0x0008_0060, // Modality
        0x0008_0201, // TimezoneOffsetFromUTC
        0x0008_103E, // SeriesDescription
        RetrieveUrl,
        0x0020_000E, // SeriesInstanceUID
        0x0020_0011, // SeriesNumber
        0x0020_1209, // NumberOfSeriesRelatedInstances
        0x0040_0244, // PerformedProcedureStepStartDate
        0x0040_0245, // PerformedProcedureStepStartTime
    ];

    /// <summary>Instance-level defaults.</summary>
    public static IReadOnlyList<uint> Instance { get; } =
    [
        0x0008_0005, // SpecificCharacterSet
        0x0008_0016, // SOPClassUID
        0x0008_0018, // SOPInstanceUID
        0x0008_0056, // InstanceAvailability
        0x0008_0201, // TimezoneOffsetFromUTC
        RetrieveUrl,
        0x0020_0013, // InstanceNumber
        0x0028_0010, // Rows
        0x0028_0011, // Columns
        0x0028_0100, // BitsAllocated
        0x0028_0008, // NumberOfFrames
    ];

    /// <summary>
    /// What a search returns: the level's defaults, the defaults of the levels above when the path does not fix them
    /// (<c>/series</c>, <c>/instances</c>), the parent UIDs always, then requested fields and matching keys.
    /// </summary>
    public static IReadOnlySet<uint> For(QidoQuery query, bool studyInPath, bool seriesInPath)
    {
        var tags = new HashSet<uint>();
        switch (query.Level)
        {
            case QidoLevel.Study:
                tags.UnionWith(Study);
                break;
            case QidoLevel.Series:
                tags.UnionWith(Series);
                if (!studyInPath) tags.UnionWith(Study);
                tags.Add(0x0020_000D);
                break;
            case QidoLevel.Instance:
                tags.UnionWith(Instance);
                if (!seriesInPath) tags.UnionWith(Series);
                if (!studyInPath) tags.UnionWith(Study);
                tags.Add(0x0020_000D);
                tags.Add(0x0020_000E);
                break;
        }
        foreach (var field in query.IncludeFields) tags.Add(field.Tag);
        foreach (var match in query.Matches) tags.Add(match.Attribute.Tag);
        return tags;
    }
}
