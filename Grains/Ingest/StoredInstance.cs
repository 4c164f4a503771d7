using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>A parsed instance whose blob is (about to be) at its final key, and the records derived from it.</summary>
internal sealed record StoredInstance(InstanceHeader Header, BlobKey FinalKey, long Size, string Digest, string EstablishmentId, DateTimeOffset ReceivedAt)
{
    public string SopInstanceUid => Header.SopInstanceUid!;

    public string StudyInstanceUid => Header.StudyInstanceUid!;

    /// <summary>
    /// Local id used for patient resolution; an empty or absent Patient ID gets the study's provisional id so unidentified
    /// patients are never merged (<see cref="Patients.UnidentifiedPatients"/>).
    /// </summary>
    public LocalPatientId LocalPatientId => string.IsNullOrWhiteSpace(Header.PatientId)
        ? Patients.UnidentifiedPatients.ProvisionalId(EstablishmentId, StudyInstanceUid)
        : new(EstablishmentId, Header.IssuerOfPatientId ?? string.Empty, Header.PatientId);

    public PatientDemographics Demographics => new() { Name = Header.PatientName, BirthDate = Header.PatientBirthDate, Sex = Header.PatientSex };

    public InstanceEntry ToEntry() => new()
    {
        StudyInstanceUid = StudyInstanceUid,
        SeriesInstanceUid = Header.SeriesInstanceUid!,
        SopInstanceUid = SopInstanceUid,
        SopClassUid = Header.SopClassUid!,
        TransferSyntaxUid = Header.TransferSyntaxUid!,
        BlobContainer = FinalKey.Container,
        BlobName = FinalKey.Name,
        Size = Size,
        Digest = Digest,
        InstanceNumber = Header.InstanceNumber,
        Frames = Header.Frames,
        ReceivedAt = ReceivedAt,
        EstablishmentId = EstablishmentId,
    };

    public StudyAttributes ToStudyAttributes(string regionalPatientId) => new()
    {
        PatientId = regionalPatientId,
        StudyDate = Header.StudyDate,
        StudyDescription = Header.StudyDescription,
        AccessionNumber = Header.AccessionNumber,
        Modality = Header.Modality,
        SeriesNumber = Header.SeriesNumber,
        SeriesDescription = Header.SeriesDescription,
    };

    public IndexedInstance ToIndexed(string regionalPatientId) => new()
    {
        PatientName = Header.PatientName,
        PatientId = Header.PatientId ?? string.Empty,
        IssuerOfPatientId = Header.IssuerOfPatientId,
        RegionalPatientId = regionalPatientId,
        PatientBirthDate = Header.PatientBirthDate,
        PatientSex = Header.PatientSex,
        StudyInstanceUid = StudyInstanceUid,
        StudyDate = Header.StudyDate,
        StudyTime = Header.StudyTime,
        AccessionNumber = Header.AccessionNumber,
        StudyId = Header.StudyId,
        StudyDescription = Header.StudyDescription,
        ReferringPhysicianName = Header.ReferringPhysicianName,
        ProducingEstablishmentId = EstablishmentId,
        SeriesInstanceUid = Header.SeriesInstanceUid!,
        Modality = Header.Modality,
        SeriesNumber = Header.SeriesNumber,
        SeriesDescription = Header.SeriesDescription,
        BodyPartExamined = Header.BodyPartExamined,
        SopClassUid = Header.SopClassUid!,
        SopInstanceUid = SopInstanceUid,
        InstanceNumber = Header.InstanceNumber,
        TransferSyntaxUid = Header.TransferSyntaxUid,
        NumberOfFrames = Header.NumberOfFrames,
        Rows = Header.Rows,
        Columns = Header.Columns,
        BitsAllocated = Header.BitsAllocated,
        SpecificCharacterSet = Header.SpecificCharacterSet,
        TimezoneOffsetFromUtc = Header.TimezoneOffsetFromUtc,
        PerformedProcedureStepStartDate = Header.PerformedProcedureStepStartDate,
        PerformedProcedureStepStartTime = Header.PerformedProcedureStepStartTime,
    };
}
