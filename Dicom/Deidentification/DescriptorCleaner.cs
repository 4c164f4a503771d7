using System.Text.RegularExpressions;

namespace Mirc.Dicom.Deidentification;

/// <summary>
/// The Clean Descriptors option for free text (study, series, protocol descriptions, comments): the description
/// stays useful, but every identifying value of the same instance (patient names and ids, birth date, accession number,
/// institution, staff names) is cut out of it, and so is any run of six digits or more (an id, a phone number, a date
/// written another way).
/// </summary>
internal sealed partial class DescriptorCleaner
{
    private static readonly DicomTag[] IdentifyingSources =
    [
        DicomTag.PatientName, DicomTag.PatientID, new DicomTag(0x00101000), DicomTag.OtherPatientNames, DicomTag.PatientBirthName,
        DicomTag.PatientMotherBirthName, DicomTag.PatientBirthDate, DicomTag.PatientAddress, DicomTag.AccessionNumber,
        DicomTag.InstitutionName, DicomTag.InstitutionAddress, DicomTag.InstitutionalDepartmentName, DicomTag.ReferringPhysicianName,
        DicomTag.PerformingPhysicianName, DicomTag.NameOfPhysiciansReadingStudy, DicomTag.OperatorsName, DicomTag.StationName,
        DicomTag.StudyID, DicomTag.IssuerOfPatientID, new DicomTag(0x00101090),
    ];

    private readonly string[] _identifying;

    private DescriptorCleaner(string[] identifying) => _identifying = identifying;

    /// <summary>Collects the identifying values of <paramref name="ds"/> before anything is changed.</summary>
    public static DescriptorCleaner From(DicomDataset ds)
    {
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in IdentifyingSources)
        {
            foreach (var value in ds.GetStrings(tag))
            {
                var whole = value.Trim();
                if (whole.Length >= 3) found.Add(whole);
                // Person names: each component and each word of it (family name alone in a description still identifies).
                foreach (var part in whole.Split(['^', '=', ' ', ',', '-'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (part.Length >= 3) found.Add(part);
                }
            }
        }

        // Longest first, so "DUPONT JEAN" goes before "DUPONT" leaves " JEAN" behind.
        return new DescriptorCleaner(found.OrderByDescending(s => s.Length).ToArray());
    }

    /// <summary>The value without identifying parts, spaces collapsed.</summary>
    public string Clean(string value)
    {
        var text = value;
        foreach (var identifying in _identifying)
        {
            text = text.Replace(identifying, " ", StringComparison.OrdinalIgnoreCase);
        }

        text = LongDigitRun().Replace(text, " ");
        return Spaces().Replace(text, " ").Trim();
    }

    [GeneratedRegex("[0-9]{6,}")]
    private static partial Regex LongDigitRun();

    [GeneratedRegex("\\s{2,}")]
    private static partial Regex Spaces();
}
