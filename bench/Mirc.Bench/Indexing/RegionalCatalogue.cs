using System.Globalization;
using Mirc.Grains.Indexing;

namespace Mirc.Bench.Indexing;

/// <summary>
/// Twenty years of a region, synthesized inside PostgreSQL (<c>INSERT … SELECT generate_series</c>: no row crosses the
/// network) into the query index's own schema. Study <c>s</c> (1-based, its study_key and series_key) was acquired
/// in ingest order over 2006–2025 (90 %; the other 10 % are priors migrated in with a random date), belongs to one of
/// <see cref="Patients"/> patients (80 % spread evenly, 20 % from the 5 % "chronic" patients), was produced by one of
/// 40 establishments (a few large hospitals produce most) and has one series of one modality (CR/DX 30 %, CT 20 %,
/// US 15 %, MR 12 %, MG 8 %, XA 5 %, NM 3 %, PT 2 %, OT 5 %). Instance rows (~100 per study) are written for every
/// <see cref="InstanceStride"/>-th study only. The formulas below are mirrored by the query generators, so each query
/// asks for values that exist.
/// </summary>
internal sealed class RegionalCatalogue(long studies, long instanceStudies, int instancesPerStudy = 100)
{
    public const string Root = "1.2.826.0.1.3680043.10.543.9";
    public const int Establishments = 40;
    private const int Days = 7305; // 2006-01-01 .. 2025-12-31
    private static readonly DateOnly FirstDay = new(2006, 1, 1);

    /// <summary>French family names (patient p has <c>FamilyNames[p % 100]</c>).</summary>
    public static readonly string[] FamilyNames =
    [
        "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
        "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
        "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE", "ANDRE",
        "MERCIER", "BLANC", "GUERIN", "BOYER", "GARNIER", "CHEVALIER", "FRANCOIS", "LEGRAND", "GAUTHIER", "GARCIA",
        "PERRIN", "ROBIN", "CLEMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON",
        "MARCHAND", "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOEL", "MEYER", "DUFOUR", "MEUNIER",
        "BRUN", "BLANCHARD", "GIRAUD", "JOLY", "RIVIERE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD",
        "MARTINEZ", "GERARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL", "CARON",
        "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX", "OLIVIER", "PHILIPPE",
        "BOURGEOIS", "PIERRE", "BENOIT", "REY", "LECLERC", "PAYET", "ROLLAND", "LECLERCQ", "GUILLAUME", "LECOMTE",
    ];

    public long Studies => studies;

    /// <summary>One patient per five studies on average (twenty years of a region).</summary>
    public long Patients => Math.Max(1, studies / 5);

    /// <summary>Every this-many-th study has instance rows.</summary>
    public long InstanceStride => instanceStudies <= 0 ? long.MaxValue : Math.Max(1, studies / instanceStudies);

    public int InstancesPerStudy => instancesPerStudy;

    // A 31-bit hash of (n, salt) in PostgreSQL; the C# side never needs it (queries pick keys by the closed formulas).
    private static string U(string n, int salt) => $"((hashint8({n} * 8 + {salt}) & 2147483647)::float8 / 2147483648.0)";

    /// <summary>Patients [from, to].</summary>
    public string PatientsSql(long from, long to)
    {
        var names = string.Join(",", FamilyNames.Select(n => $"'{n}'"));
        return $"""
            INSERT INTO patients (patient_key, patient_id, issuer, patient_name, patient_name_norm, regional_patient_id, birth_date, sex)
            OVERRIDING SYSTEM VALUE
            SELECT p, 'P' || lpad(p::text, 9, '0'), 'REGION', n || '^G' || p, n || '^G' || p, 'R' || p,
                   to_char(date '1925-01-01' + (p * 7919 % 36500)::int, 'YYYYMMDD'), CASE WHEN p % 2 = 0 THEN 'F' ELSE 'M' END
            FROM generate_series({from}::bigint, {to}::bigint) p, LATERAL (SELECT (ARRAY[{names}])[1 + p % 100] AS n) f;
            """;
    }

    /// <summary>Studies [from, to] and their one series each.</summary>
    public string StudiesSql(long from, long to) => $"""
        INSERT INTO studies (study_key, study_uid, patient_key, study_date, study_time, accession_number, study_id, study_description,
                             referring_physician, referring_physician_norm, establishment_id, modalities, num_series, num_instances, specific_character_set)
        OVERRIDING SYSTEM VALUE
        SELECT s, '{Root}.2.' || s, patient, to_char(date '2006-01-01' + day, 'YYYYMMDD'), lpad((7 + s % 12)::text, 2, '0') || '1500',
               'A' || s, (s % 100000)::text, modality || ' EXAM', 'DR^' || (s % 5000), 'DR^' || (s % 5000), 'est-' || est,
               modality, 1, instances, 'ISO_IR 192'
        FROM (
          SELECT s,
                 CASE WHEN {U("s", 1)} < 0.8 THEN 1 + floor({U("s", 2)} * {Patients})::bigint
                      ELSE 1 + floor({U("s", 2)} * {Math.Max(1, Patients / 20)})::bigint END AS patient,
                 CASE WHEN {U("s", 3)} < 0.9 THEN least({Days - 1}, ((s - 1) * {Days}::float8 / {studies})::int + floor({U("s", 4)} * 3)::int)
                      ELSE floor({U("s", 4)} * {Days})::int END AS day,
                 floor(power({U("s", 5)}, 2) * {Establishments})::int AS est,
                 m.modality, m.instances
          FROM generate_series({from}::bigint, {to}::bigint) s,
               LATERAL (SELECT {ModalitySql(U("s", 6))}) m
        ) g;
        INSERT INTO series (series_key, series_uid, study_key, modality, series_number, series_description, body_part, num_instances, specific_character_set)
        OVERRIDING SYSTEM VALUE
        SELECT study_key, '{Root}.3.' || study_key, study_key, modalities, 1, modalities || ' SERIES', NULL, num_instances, 'ISO_IR 192'
        FROM studies WHERE study_key BETWEEN {from} AND {to};
        """;

    /// <summary>~100 instance rows for every <see cref="InstanceStride"/>-th study in [from, to].</summary>
    public string InstancesSql(long from, long to) => $"""
        INSERT INTO instances (sop_instance_uid, series_key, sop_class_uid, instance_number, transfer_syntax, number_of_frames,
                               pixel_rows, pixel_columns, status, specific_character_set, bits_allocated)
        SELECT '{Root}.4.' || s || '.' || n, s, '1.2.840.10008.5.1.4.1.1.2', n, '1.2.840.10008.1.2.4.80', 1, 512, 512, 'ONLINE', 'ISO_IR 192', 16
        FROM generate_series({from}::bigint, {to}::bigint) s, generate_series(1, {instancesPerStudy}) n
        WHERE s % {InstanceStride} = 0;
        """;

    /// <summary>Moves the identity sequences past the synthetic keys (so later upserts get fresh keys).</summary>
    public static string SequencesSql => """
        SELECT setval(pg_get_serial_sequence('patients', 'patient_key'), (SELECT COALESCE(MAX(patient_key), 0) + 1 FROM patients), false);
        SELECT setval(pg_get_serial_sequence('studies', 'study_key'), (SELECT COALESCE(MAX(study_key), 0) + 1 FROM studies), false);
        SELECT setval(pg_get_serial_sequence('series', 'series_key'), (SELECT COALESCE(MAX(series_key), 0) + 1 FROM series), false);
        """;

    private static string ModalitySql(string u) => $"""
        CASE WHEN {u} < 0.30 THEN 'DX' WHEN {u} < 0.50 THEN 'CT' WHEN {u} < 0.65 THEN 'US' WHEN {u} < 0.77 THEN 'MR'
             WHEN {u} < 0.85 THEN 'MG' WHEN {u} < 0.90 THEN 'XA' WHEN {u} < 0.93 THEN 'NM' WHEN {u} < 0.95 THEN 'PT' ELSE 'OT' END AS modality,
        CASE WHEN {u} < 0.30 THEN 2 WHEN {u} < 0.50 THEN 300 WHEN {u} < 0.65 THEN 40 WHEN {u} < 0.77 THEN 400
             WHEN {u} < 0.85 THEN 4 WHEN {u} < 0.90 THEN 20 WHEN {u} < 0.93 THEN 60 WHEN {u} < 0.95 THEN 500 ELSE 5 END AS instances
        """;

    // ---- queries: what QIDO-RS / C-FIND send for the usual searches, values drawn from the formulas above ----

    public static string PatientId(long p) => "P" + p.ToString("D9", CultureInfo.InvariantCulture);

    public static string Da(int day) => FirstDay.AddDays(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public long RandomPatient(Random random) => 1 + random.NextInt64(Patients);

    /// <summary>A study that has instance rows.</summary>
    public long RandomStudyWithInstances(Random random)
    {
        var stride = InstanceStride;
        return stride == long.MaxValue ? 1 : stride * (1 + random.NextInt64(Math.Max(1, studies / stride)));
    }

    public static int RandomDay(Random random, int span) => random.Next(Days - span);

    /// <summary>The study-level return keys a PACS viewer asks for (as <c>SyntheticCatalogue</c>), plus the matching keys.</summary>
    public static IndexQuery StudyQuery(IndexAuthorization authorization, int limit, params (uint Tag, string Value)[] keys)
    {
        var matches = new Dictionary<uint, string>
        {
            [IndexTags.PatientName] = string.Empty,
            [IndexTags.PatientId] = string.Empty,
            [IndexTags.StudyDate] = string.Empty,
            [IndexTags.StudyInstanceUid] = string.Empty,
            [IndexTags.AccessionNumber] = string.Empty,
            [IndexTags.ModalitiesInStudy] = string.Empty,
            [IndexTags.NumberOfStudyRelatedInstances] = string.Empty,
        };
        foreach (var (tag, value) in keys)
        {
            matches[tag] = value;
        }

        return new IndexQuery(QueryLevel.Study, authorization) { Matches = matches, Limit = limit };
    }
}
