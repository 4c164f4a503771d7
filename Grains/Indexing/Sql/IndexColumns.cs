namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The attribute → column map shared by the SQL implementations; aliases p (patients), st (studies), se (series), i (instances).
/// An attribute kept at several levels (Specific Character Set, Timezone Offset From UTC) has one column per level: a
/// query reads the one of its own level, or of the nearest level above.
/// </summary>
internal static class IndexColumns
{
    // Per-patient visible study count: substituted with the authorization condition by the query builder.
    public const string PatientStudyCountPlaceholder = "{patient_study_count}";

    public static IReadOnlyList<IndexColumn> All { get; } =
    [
        new(IndexTags.PatientName, QueryLevel.Patient, "p.patient_name", "p.patient_name_norm", MatchKind.PersonName),
        new(IndexTags.PatientId, QueryLevel.Patient, $"CASE WHEN p.patient_id LIKE '{IndexWriter.UnidentifiedPrefix}%' THEN NULL ELSE p.patient_id END", "p.patient_id", MatchKind.Text),
        new(IndexTags.IssuerOfPatientId, QueryLevel.Patient, "p.issuer", "p.issuer", MatchKind.Text),
        new(IndexTags.PatientBirthDate, QueryLevel.Patient, "p.birth_date", "p.birth_date", MatchKind.Date),
        new(IndexTags.PatientSex, QueryLevel.Patient, "p.sex", "p.sex", MatchKind.Text),
        new(IndexTags.RegionalPatientId, QueryLevel.Patient, "p.regional_patient_id", "p.regional_patient_id", MatchKind.Text),
        new(IndexTags.NumberOfPatientRelatedStudies, QueryLevel.Patient, PatientStudyCountPlaceholder, string.Empty, MatchKind.None, IsInteger: true),

        new(IndexTags.StudyInstanceUid, QueryLevel.Study, "st.study_uid", "st.study_uid", MatchKind.Uid),
        new(IndexTags.StudyDate, QueryLevel.Study, "st.study_date", "st.study_date", MatchKind.Date),
        new(IndexTags.StudyTime, QueryLevel.Study, "st.study_time", "st.study_time", MatchKind.Time),
        new(IndexTags.AccessionNumber, QueryLevel.Study, "st.accession_number", "st.accession_number", MatchKind.Text),
        new(IndexTags.StudyId, QueryLevel.Study, "st.study_id", "st.study_id", MatchKind.Text),
        new(IndexTags.ModalitiesInStudy, QueryLevel.Study, "st.modalities", "se2.modality", MatchKind.Modalities),
        new(IndexTags.StudyDescription, QueryLevel.Study, "st.study_description", "st.study_description", MatchKind.Text),
        new(IndexTags.ReferringPhysicianName, QueryLevel.Study, "st.referring_physician", "st.referring_physician_norm", MatchKind.PersonName),
        new(IndexTags.ProducingEstablishmentId, QueryLevel.Study, "st.establishment_id", "st.establishment_id", MatchKind.Text),
        new(IndexTags.NumberOfStudyRelatedSeries, QueryLevel.Study, "st.num_series", string.Empty, MatchKind.None, IsInteger: true),
        new(IndexTags.NumberOfStudyRelatedInstances, QueryLevel.Study, "st.num_instances", string.Empty, MatchKind.None, IsInteger: true),
        new(IndexTags.SpecificCharacterSet, QueryLevel.Study, "st.specific_character_set", string.Empty, MatchKind.None),
        new(IndexTags.TimezoneOffsetFromUtc, QueryLevel.Study, "st.timezone_offset", string.Empty, MatchKind.None),

        new(IndexTags.SeriesInstanceUid, QueryLevel.Series, "se.series_uid", "se.series_uid", MatchKind.Uid),
        new(IndexTags.Modality, QueryLevel.Series, "se.modality", "se.modality", MatchKind.Text),
        new(IndexTags.SeriesNumber, QueryLevel.Series, "se.series_number", "se.series_number", MatchKind.Integer, IsInteger: true),
        new(IndexTags.SeriesDescription, QueryLevel.Series, "se.series_description", "se.series_description", MatchKind.Text),
        new(IndexTags.BodyPartExamined, QueryLevel.Series, "se.body_part", "se.body_part", MatchKind.Text),
        new(IndexTags.NumberOfSeriesRelatedInstances, QueryLevel.Series, "se.num_instances", string.Empty, MatchKind.None, IsInteger: true),
        new(IndexTags.PerformedProcedureStepStartDate, QueryLevel.Series, "se.pps_start_date", "se.pps_start_date", MatchKind.Date),
        new(IndexTags.PerformedProcedureStepStartTime, QueryLevel.Series, "se.pps_start_time", "se.pps_start_time", MatchKind.Time),
        new(IndexTags.SpecificCharacterSet, QueryLevel.Series, "se.specific_character_set", string.Empty, MatchKind.None),
        new(IndexTags.TimezoneOffsetFromUtc, QueryLevel.Series, "se.timezone_offset", string.Empty, MatchKind.None),

        new(IndexTags.SopClassUid, QueryLevel.Image, "i.sop_class_uid", "i.sop_class_uid", MatchKind.Uid),
        new(IndexTags.SopInstanceUid, QueryLevel.Image, "i.sop_instance_uid", "i.sop_instance_uid", MatchKind.Uid),
        new(IndexTags.InstanceNumber, QueryLevel.Image, "i.instance_number", "i.instance_number", MatchKind.Integer, IsInteger: true),
        new(IndexTags.AvailableTransferSyntaxUid, QueryLevel.Image, "i.transfer_syntax", "i.transfer_syntax", MatchKind.Uid),
        new(IndexTags.NumberOfFrames, QueryLevel.Image, "i.number_of_frames", "i.number_of_frames", MatchKind.Integer, IsInteger: true),
        new(IndexTags.Rows, QueryLevel.Image, "i.pixel_rows", "i.pixel_rows", MatchKind.Integer, IsInteger: true),
        new(IndexTags.Columns, QueryLevel.Image, "i.pixel_columns", "i.pixel_columns", MatchKind.Integer, IsInteger: true),
        new(IndexTags.InstanceAvailability, QueryLevel.Image, "i.status", "i.status", MatchKind.Text),
        new(IndexTags.BitsAllocated, QueryLevel.Image, "i.bits_allocated", "i.bits_allocated", MatchKind.Integer, IsInteger: true),
        new(IndexTags.SpecificCharacterSet, QueryLevel.Image, "i.specific_character_set", string.Empty, MatchKind.None),
        new(IndexTags.TimezoneOffsetFromUtc, QueryLevel.Image, "i.timezone_offset", string.Empty, MatchKind.None),
    ];

    private static readonly QueryLevel[] Levels = [QueryLevel.Patient, QueryLevel.Study, QueryLevel.Series, QueryLevel.Image];

    private static readonly Dictionary<QueryLevel, IReadOnlyList<IndexColumn>> Selected = Levels.ToDictionary(
        level => level,
        level => (IReadOnlyList<IndexColumn>)All.Where(c => c.Level <= level).GroupBy(c => c.Tag).Select(g => g.MaxBy(c => c.Level)!).ToArray());

    /// <summary>The columns a query at <paramref name="level"/> returns: one per attribute, from the nearest level at or above it.</summary>
    public static IReadOnlyList<IndexColumn> For(QueryLevel level) => Selected[level];

    /// <summary>The column of <paramref name="tag"/> a query at <paramref name="level"/> reads, or null when no level at or above keeps it.</summary>
    public static IndexColumn? Find(uint tag, QueryLevel level) => Selected[level].FirstOrDefault(c => c.Tag == tag);

    /// <summary>Whether any level keeps <paramref name="tag"/>.</summary>
    public static bool Contains(uint tag) => All.Any(c => c.Tag == tag);
}
