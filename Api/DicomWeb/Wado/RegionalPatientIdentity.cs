using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>The regional patient id as DICOM: an Other Patient IDs Sequence (0010,1002) item with the region as issuer.</summary>
public static class RegionalPatientIdentity
{
    /// <summary>Appends the item to <paramref name="dataset"/>'s sequence (kept items first, so their bulk-data paths stay), unless present.</summary>
    public static void AddTo(DicomDataset dataset, string regionalId, string issuer)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var items = dataset.GetSequenceItems(DicomTag.OtherPatientIDsSequence).ToList();
        if (items.Any(i => i.GetStringOrDefault(DicomTag.PatientID) == regionalId && i.GetStringOrDefault(DicomTag.IssuerOfPatientID) == issuer)) return;
        var item = new DicomDataset();
        item.Set(DicomTag.PatientID, regionalId);
        item.Set(DicomTag.IssuerOfPatientID, issuer);
        item.Set(DicomTag.TypeOfPatientID, "TEXT");
        items.Add(item);
        dataset.SetSequence(DicomTag.OtherPatientIDsSequence, [.. items]);
    }
}
