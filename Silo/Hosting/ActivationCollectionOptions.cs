namespace Mirc.Silo.Hosting;

/// <summary>
/// How long idle grain activations stay in memory (section <c>Mirc:Activations</c>), composed into Orleans'
/// <c>GrainCollectionOptions</c>. A new one-instance study activates a study, a patient and an identity-pointer grain
/// (~3.6 KB of heap each) that are rarely called again: with Orleans' 15-minute default a silo receiving 40 – 250 new
/// studies/s holds 100,000 – 700,000 of them. Live activations of those types stay near
/// 3 × rate × (idle age + 2 × <see cref="CollectionQuantum"/>) instead: ~1,200 at 100 new studies/s with the defaults
/// (30 s ages let 27,000 build up at 120/s; 10 s ages and a 5 s quantum held 27,000 at 435/s; 5 s ages and a 2 s quantum
/// peaked at 435 – 456 MB over 20,000 one-instance studies by STOW-RS at ~400/s, these defaults at 371 – 388 MB: bench/README.md,
/// "What grows"). A collected grain is activated again on its next call from its durable state (a read), so a shorter
/// age trades memory for such reads — a study whose instances arrive more than ~2 s apart reads its manifest again.
/// </summary>
public sealed class ActivationCollectionOptions
{
    public const string Section = "Mirc:Activations";

    /// <summary>How often the silo looks for idle activations; every idle age must be longer.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Idle age of every grain type not named below (Orleans' default).</summary>
    public TimeSpan DefaultIdleAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Idle age of a study grain. Its in-flight instance reservations keep it active until they expire whatever this
    /// says; an instance of a study that is still arriving keeps it active by its own calls.
    /// </summary>
    public TimeSpan StudyIdleAge { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Idle age of a patient grain (called once per new study of the patient, and by patient queries).</summary>
    public TimeSpan PatientIdleAge { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Idle age of an identity-pointer grain (local patient id or INS → regional patient): called when a resolution is
    /// not in the silo's patient resolution cache, i.e. at most once per <c>Mirc:Ingest:PatientCacheLifetime</c>.
    /// </summary>
    public TimeSpan IdentityIdleAge { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Entries of the silo's grain locator cache (grain → silo that hosts it; Orleans' <c>GrainDirectoryOptions.CacheSize</c>).
    /// Orleans keeps up to 1,000,000, and an entry outlives its activation: one-instance studies filled it by 3 entries
    /// (~0.3 KB each) per study after their activations were collected. A miss costs a directory lookup, no more.
    /// </summary>
    public int LocatorCacheSize { get; set; } = 20_000;
}
