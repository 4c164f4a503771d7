using System.Text;
using Mirc.Dicom;

namespace Mirc.DicomCli;

/// <summary>
/// <c>mirc-dicom storage-classes</c>: prints the storage SOP classes the archive accepts (<see cref="DicomUids.StorageSopClasses"/>)
/// as Markdown tables grouped by family, the source of the table in <c>docs/dicom-conformance.md</c>.
/// </summary>
internal static class StorageClassTable
{
    /// <summary>Family of a SOP class by words of its PS3.6 name; the first matching rule wins.</summary>
    private static readonly (string Family, string[] Words)[] Families =
    [
        ("Structured reports and key objects", [" SR ", "SR Storage", "Key Object", "Report", "CAD"]),
        ("Presentation states", ["Presentation State"]),
        ("Waveforms", ["Waveform", "ECG", "Audio", "Hemodynamic", "Electrophysiology", "Electromyogram", "Electrooculogram", "Sleep", "Arterial Pulse", "Respiratory", "Body Position"]),
        ("Radiotherapy", ["RT ", "Radiation", "C-Arm Photon-Electron", "Tomotherapeutic", "Robotic-Arm"]),
        ("Encapsulated documents", ["Encapsulated"]),
        ("Security and non-destructive testing (DICOS, DICONDE)", ["DICOS", "Eddy Current", "X-Ray Backscatter", "Threat", "Baggage"]),
        ("Ophthalmology and optometry", ["Ophthalmic", "Visual Field", "Lensometry", "Refraction", "Keratometry", "Visual Acuity", "Spectacle", "Intraocular", "Corneal", "Macular", "Wide Field"]),
        ("Visible light, video and photography", ["VL ", "Video", "Photograph", "Microscop", "Endoscop", "Dermoscop", "Slide"]),
        ("Segmentation, registration, surfaces and measurements", ["Segmentation", "Registration", "Surface", "Fiducial", "Tractography", "Measurement", "Contour", "Label Map", "Parametric Map", "Implant", "Annotation", "Volume Rendering"]),
        ("Spectroscopy and raw data", ["Spectroscopy", "Raw Data", "Real World Value"]),
        ("Images (radiology, nuclear medicine, ultrasound, capture)", ["Image", "Mammography", "Tomosynthesis", "Projection", "Volume"]),
    ];

    public static int Print()
    {
        var rows = DicomUids.StorageSopClasses
            .Select(uid => DicomUids.TryGetInfo(uid, out var info) ? info : new DicomUidInfo(uid, uid, "", DicomUidKind.SopClass, true, false))
            .GroupBy(FamilyOf)
            .OrderBy(g => Array.FindIndex(Families, f => f.Family == g.Key) is var i && i < 0 ? int.MaxValue : i);
        var text = new StringBuilder();
        var total = 0;
        foreach (var group in rows)
        {
            text.AppendLine($"#### {group.Key} ({group.Count()})").AppendLine();
            text.AppendLine("| SOP class | UID |").AppendLine("|---|---|");
            foreach (var info in group.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                text.AppendLine($"| {info.Name} | `{info.Uid}` |");
                total++;
            }
            text.AppendLine();
        }
        text.AppendLine($"{total} storage SOP classes.");
        Console.Write(text.ToString());
        return 0;
    }

    private static string FamilyOf(DicomUidInfo info)
    {
        var name = " " + info.Name + " ";
        foreach (var (family, words) in Families)
            if (words.Any(w => name.Contains(w, StringComparison.Ordinal))) return family;
        return "Other objects";
    }
}
