using System.Globalization;
using Mirc.Grains.Indexing;

namespace Mirc.Bench.Indexing;

/// <summary>
/// Deterministic synthetic index content: study <c>s</c> belongs to patient <c>s / 2</c>, has one CT series with one
/// instance, a date spread over ten years and one of ten producing establishments.
/// </summary>
internal sealed class SyntheticCatalogue(int studies)
{
    private const string Root = "1.2.826.0.1.3680043.10.543";
    private static readonly DateOnly FirstDate = new(2015, 1, 1);
    private static readonly string[] FamilyNames = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"];

    private int Patients => (studies + 1) / 2;

    /// <summary>Only what establishment 3 produced.</summary>
    public IndexAuthorization OneEstablishment { get; } = IndexAuthorization.Restricted(["est-3"], []);

    /// <summary>One instance per study, in study order.</summary>
    public IEnumerable<IndexedInstance> Instances()
    {
        for (var s = 0; s < studies; s++)
        {
            yield return Instance(s, $"{Root}.3.{s}.1", 1);
        }
    }

    /// <summary>Another instance of an existing study, in a new series every 50 instances (what ingest adds).</summary>
    public IndexedInstance ExtraInstance(int i) =>
        Instance(i % studies, $"{Root}.5.{i / 50}", 2) with { SopInstanceUid = $"{Root}.6.{i}" };

    public IndexQuery PatientIdQuery(Random random) =>
        StudyQuery(IndexTags.PatientId, PatientId(random.Next(Patients)));

    public IndexQuery NameWildcardQuery(Random random)
    {
        // A family name plus the first digits of a given name: a typical "DUBOIS^JEAN12*" search narrowing to a few patients.
        var p = random.Next(Patients);
        var given = GivenName(p);
        return StudyQuery(IndexTags.PatientName, $"{FamilyNames[p % FamilyNames.Length]}^{given[..Math.Max(1, given.Length - 1)]}*");
    }

    public IndexQuery DateRangeQuery(Random random)
    {
        var from = FirstDate.AddDays(random.Next(3650 - 7));
        return StudyQuery(IndexTags.StudyDate, $"{Da(from)}-{Da(from.AddDays(6))}") with { Limit = 100 };
    }

    private static IndexQuery StudyQuery(uint tag, string value) => new(QueryLevel.Study, IndexAuthorization.All)
    {
        Matches = new Dictionary<uint, string>
        {
            [tag] = value,
            [IndexTags.PatientName] = tag == IndexTags.PatientName ? value : string.Empty,
            [IndexTags.PatientId] = tag == IndexTags.PatientId ? value : string.Empty,
            [IndexTags.StudyDate] = tag == IndexTags.StudyDate ? value : string.Empty,
            [IndexTags.StudyInstanceUid] = string.Empty,
            [IndexTags.ModalitiesInStudy] = string.Empty,
            [IndexTags.NumberOfStudyRelatedInstances] = string.Empty,
        },
    };

    private IndexedInstance Instance(int s, string seriesUid, int seriesNumber)
    {
        var patient = s / 2;
        return new IndexedInstance
        {
            PatientId = PatientId(patient),
            PatientName = $"{FamilyNames[patient % FamilyNames.Length]}^{GivenName(patient)}",
            PatientBirthDate = Da(new DateOnly(1940, 1, 1).AddDays(patient % 25_000)),
            PatientSex = patient % 2 == 0 ? "F" : "M",
            RegionalPatientId = $"R{patient}",
            StudyInstanceUid = $"{Root}.2.{s}",
            StudyDate = Da(FirstDate.AddDays((int)((uint)(s * 2654435761u) % 3650))),
            StudyTime = "101500",
            AccessionNumber = $"A{s}",
            StudyDescription = "CT THORAX",
            ProducingEstablishmentId = $"est-{s % 10}",
            SeriesInstanceUid = seriesUid,
            Modality = "CT",
            SeriesNumber = seriesNumber,
            SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            SopInstanceUid = $"{Root}.4.{s}",
            InstanceNumber = 1,
            TransferSyntaxUid = "1.2.840.10008.1.2.1",
            Rows = 512,
            Columns = 512,
        };
    }

    private static string PatientId(int p) => "P" + p.ToString("D7", CultureInfo.InvariantCulture);

    private static string GivenName(int p) => "G" + p.ToString(CultureInfo.InvariantCulture);

    private static string Da(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
