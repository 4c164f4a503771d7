using Mirc.Grains.Indexing;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>Builds test instances with plausible defaults.</summary>
internal static class IndexedInstances
{
    public static IndexedInstance Make(
        string patientId,
        string study,
        string series,
        string sop,
        string establishment = "EST-A",
        string? patientName = "Doe^John",
        string? regional = null,
        string? studyDate = "20200615",
        string? studyTime = "101500",
        string? modality = "CT",
        string? accession = null,
        int? seriesNumber = 1,
        int? instanceNumber = 1) => new()
    {
        PatientId = patientId,
        IssuerOfPatientId = "HOSP",
        PatientName = patientName,
        RegionalPatientId = regional,
        PatientBirthDate = "19700101",
        PatientSex = "M",
        StudyInstanceUid = study,
        StudyDate = studyDate,
        StudyTime = studyTime,
        AccessionNumber = accession ?? "ACC-" + study,
        StudyId = "S1",
        StudyDescription = "Chest",
        ReferringPhysicianName = "House^Gregory",
        ProducingEstablishmentId = establishment,
        SeriesInstanceUid = series,
        Modality = modality,
        SeriesNumber = seriesNumber,
        SeriesDescription = "Axial",
        BodyPartExamined = "CHEST",
        SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
        SopInstanceUid = sop,
        InstanceNumber = instanceNumber,
        TransferSyntaxUid = "1.2.840.10008.1.2.1",
        NumberOfFrames = 1,
        Rows = 512,
        Columns = 512,
    };
}
