using Mirc.Dicom;

namespace Mirc.Bench.Dimse;

/// <summary>Study Root Query/Retrieve SOP classes and the identifiers the benchmark sends.</summary>
public static class QueryRetrieve
{
    /// <summary>Study Root Query/Retrieve Information Model – FIND.</summary>
    public const string StudyRootFind = DicomUids.StudyRootQueryRetrieveInformationModelFind;

    /// <summary>Study Root Query/Retrieve Information Model – MOVE.</summary>
    public const string StudyRootMove = DicomUids.StudyRootQueryRetrieveInformationModelMove;

    /// <summary>Study Root Query/Retrieve Information Model – GET.</summary>
    public const string StudyRootGet = DicomUids.StudyRootQueryRetrieveInformationModelGet;

    /// <summary>Transfer syntaxes proposed for queries, retrieves and received instances; the client encodes identifiers in whichever is accepted.</summary>
    public static readonly IReadOnlyList<string> UncompressedSyntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    /// <summary>STUDY-level C-FIND identifier matching <paramref name="patientId"/> and asking a few return keys.</summary>
    public static DicomDataset FindStudiesOfPatient(string patientId) =>
        new DicomDataset()
            .Set(DicomTag.StudyDate, "")
            .Set(DicomTag.QueryRetrieveLevel, "STUDY")
            .Set(DicomTag.ModalitiesInStudy, "")
            .Set(DicomTag.PatientName, "")
            .Set(DicomTag.PatientID, patientId)
            .Set(DicomTag.StudyInstanceUID, "")
            .Set(DicomTag.NumberOfStudyRelatedInstances, "");

    /// <summary>STUDY-level C-GET / C-MOVE identifier.</summary>
    public static DicomDataset Study(string studyUid) =>
        new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, studyUid);
}
