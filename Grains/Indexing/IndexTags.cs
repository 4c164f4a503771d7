namespace Mirc.Grains.Indexing;

/// <summary>
/// Attributes the query index can match and returns, as DICOM tags (group &lt;&lt; 16 | element).
/// Group <c>FFFF</c> holds archive pseudo-tags (not DICOM elements: never write them into a response dataset).
/// Values in rows use DICOM string forms: DA <c>YYYYMMDD</c>, TM <c>HHMMSS[.F]</c>, IS/US as decimal text,
/// multi-values joined with <c>\</c>.
/// </summary>
public static class IndexTags
{
    // Every level (the value of the level's last received instance)
    /// <summary>(0008,0005) CS, return only: the character set the source used (C-FIND answers in UTF-8 whatever it was).</summary>
    public const uint SpecificCharacterSet = 0x0008_0005;
    /// <summary>(0008,0201) SH, return only: describes the instance's dates and times (a query's value describes the query's).</summary>
    public const uint TimezoneOffsetFromUtc = 0x0008_0201;

    // Patient level
    /// <summary>(0010,0010) PN.</summary>
    public const uint PatientName = 0x0010_0010;
    /// <summary>(0010,0020) LO.</summary>
    public const uint PatientId = 0x0010_0020;
    /// <summary>(0010,0021) LO.</summary>
    public const uint IssuerOfPatientId = 0x0010_0021;
    /// <summary>(0010,0030) DA.</summary>
    public const uint PatientBirthDate = 0x0010_0030;
    /// <summary>(0010,0040) CS.</summary>
    public const uint PatientSex = 0x0010_0040;
    /// <summary>(0020,1200) IS, return only (visible studies only).</summary>
    public const uint NumberOfPatientRelatedStudies = 0x0020_1200;

    // Study level
    /// <summary>(0020,000D) UI; list matching <c>uid1\uid2</c>.</summary>
    public const uint StudyInstanceUid = 0x0020_000D;
    /// <summary>(0008,0020) DA; range matching.</summary>
    public const uint StudyDate = 0x0008_0020;
    /// <summary>(0008,0030) TM; range matching.</summary>
    public const uint StudyTime = 0x0008_0030;
    /// <summary>(0008,0050) SH.</summary>
    public const uint AccessionNumber = 0x0008_0050;
    /// <summary>(0020,0010) SH.</summary>
    public const uint StudyId = 0x0020_0010;
    /// <summary>(0008,0061) CS multi-valued; matches when any modality of the study matches.</summary>
    public const uint ModalitiesInStudy = 0x0008_0061;
    /// <summary>(0008,1030) LO.</summary>
    public const uint StudyDescription = 0x0008_1030;
    /// <summary>(0008,0090) PN; case-insensitive.</summary>
    public const uint ReferringPhysicianName = 0x0008_0090;
    /// <summary>(0020,1206) IS, return only.</summary>
    public const uint NumberOfStudyRelatedSeries = 0x0020_1206;
    /// <summary>(0020,1208) IS, return only.</summary>
    public const uint NumberOfStudyRelatedInstances = 0x0020_1208;

    // Series level
    /// <summary>(0020,000E) UI; list matching.</summary>
    public const uint SeriesInstanceUid = 0x0020_000E;
    /// <summary>(0008,0060) CS.</summary>
    public const uint Modality = 0x0008_0060;
    /// <summary>(0020,0011) IS; single value matching.</summary>
    public const uint SeriesNumber = 0x0020_0011;
    /// <summary>(0008,103E) LO.</summary>
    public const uint SeriesDescription = 0x0008_103E;
    /// <summary>(0018,0015) CS.</summary>
    public const uint BodyPartExamined = 0x0018_0015;
    /// <summary>(0020,1209) IS, return only.</summary>
    public const uint NumberOfSeriesRelatedInstances = 0x0020_1209;
    /// <summary>(0040,0244) DA; range matching.</summary>
    public const uint PerformedProcedureStepStartDate = 0x0040_0244;
    /// <summary>(0040,0245) TM; range matching.</summary>
    public const uint PerformedProcedureStepStartTime = 0x0040_0245;

    // Image level
    /// <summary>(0008,0016) UI; list matching.</summary>
    public const uint SopClassUid = 0x0008_0016;
    /// <summary>(0008,0018) UI; list matching.</summary>
    public const uint SopInstanceUid = 0x0008_0018;
    /// <summary>(0020,0013) IS; single value matching.</summary>
    public const uint InstanceNumber = 0x0020_0013;
    /// <summary>(0008,3002) UI: the transfer syntax the instance is stored in.</summary>
    public const uint AvailableTransferSyntaxUid = 0x0008_3002;
    /// <summary>(0028,0008) IS.</summary>
    public const uint NumberOfFrames = 0x0028_0008;
    /// <summary>(0028,0010) US.</summary>
    public const uint Rows = 0x0028_0010;
    /// <summary>(0028,0011) US.</summary>
    public const uint Columns = 0x0028_0011;
    /// <summary>(0028,0100) US.</summary>
    public const uint BitsAllocated = 0x0028_0100;
    /// <summary>(0008,0056) CS: ONLINE, NEARLINE, OFFLINE, UNAVAILABLE.</summary>
    public const uint InstanceAvailability = 0x0008_0056;

    // Archive pseudo-tags (group FFFF)
    /// <summary>Pseudo-tag: the regional (cross-establishment) patient identifier.</summary>
    public const uint RegionalPatientId = 0xFFFF_0001;
    /// <summary>Pseudo-tag: id of the establishment that produced (pushed) the study.</summary>
    public const uint ProducingEstablishmentId = 0xFFFF_0002;

    /// <summary>
    /// The matching keys C-FIND and QIDO-RS accept, with the level that owns each (a query matches the keys of its
    /// level and of the levels above). Written once here; where each one lives in SQL is <c>Sql/IndexColumns</c>.
    /// </summary>
    public static IReadOnlyDictionary<uint, QueryLevel> MatchingKeys { get; } = new Dictionary<uint, QueryLevel>
    {
        [PatientName] = QueryLevel.Patient,
        [PatientId] = QueryLevel.Patient,
        [IssuerOfPatientId] = QueryLevel.Patient,
        [PatientBirthDate] = QueryLevel.Patient,
        [PatientSex] = QueryLevel.Patient,
        [StudyInstanceUid] = QueryLevel.Study,
        [StudyDate] = QueryLevel.Study,
        [StudyTime] = QueryLevel.Study,
        [AccessionNumber] = QueryLevel.Study,
        [StudyId] = QueryLevel.Study,
        [ModalitiesInStudy] = QueryLevel.Study,
        [StudyDescription] = QueryLevel.Study,
        [ReferringPhysicianName] = QueryLevel.Study,
        [SeriesInstanceUid] = QueryLevel.Series,
        [Modality] = QueryLevel.Series,
        [SeriesNumber] = QueryLevel.Series,
        [SeriesDescription] = QueryLevel.Series,
        [BodyPartExamined] = QueryLevel.Series,
        [PerformedProcedureStepStartDate] = QueryLevel.Series,
        [PerformedProcedureStepStartTime] = QueryLevel.Series,
        [SopClassUid] = QueryLevel.Image,
        [SopInstanceUid] = QueryLevel.Image,
        [InstanceNumber] = QueryLevel.Image,
    };

    /// <summary>Whether the tag is an archive pseudo-tag (not a DICOM element).</summary>
    public static bool IsPseudoTag(uint tag) => tag >> 16 == 0xFFFF;
}
