using Mirc.Grains.Indexing;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>Which attributes the query index can match, and at which QIDO level each one lives.</summary>
public static class QidoIndexAttributes
{
    private static readonly Dictionary<uint, QidoLevel> Matchable = new()
    {
        [IndexTags.PatientName] = QidoLevel.Study,
        [IndexTags.PatientId] = QidoLevel.Study,
        [IndexTags.IssuerOfPatientId] = QidoLevel.Study,
        [IndexTags.PatientBirthDate] = QidoLevel.Study,
        [IndexTags.PatientSex] = QidoLevel.Study,
        [IndexTags.StudyInstanceUid] = QidoLevel.Study,
        [IndexTags.StudyDate] = QidoLevel.Study,
        [IndexTags.StudyTime] = QidoLevel.Study,
        [IndexTags.AccessionNumber] = QidoLevel.Study,
        [IndexTags.StudyId] = QidoLevel.Study,
        [IndexTags.ModalitiesInStudy] = QidoLevel.Study,
        [IndexTags.StudyDescription] = QidoLevel.Study,
        [IndexTags.ReferringPhysicianName] = QidoLevel.Study,
        [IndexTags.SeriesInstanceUid] = QidoLevel.Series,
        [IndexTags.Modality] = QidoLevel.Series,
        [IndexTags.SeriesNumber] = QidoLevel.Series,
        [IndexTags.SeriesDescription] = QidoLevel.Series,
        [IndexTags.BodyPartExamined] = QidoLevel.Series,
        [IndexTags.SopClassUid] = QidoLevel.Instance,
        [IndexTags.SopInstanceUid] = QidoLevel.Instance,
        [IndexTags.InstanceNumber] = QidoLevel.Instance,
    };

    /// <summary>The level of a matchable attribute, or null when the index cannot match on it.</summary>
    public static QidoLevel? LevelOf(uint tag) => Matchable.TryGetValue(tag, out var level) ? level : null;

    /// <summary>The index level for a QIDO level.</summary>
    public static QueryLevel ToIndexLevel(QidoLevel level) => level switch
    {
        QidoLevel.Study => QueryLevel.Study,
        QidoLevel.Series => QueryLevel.Series,
        _ => QueryLevel.Image,
    };
}
