namespace Mirc.Bench.Cli;

/// <summary>Everything one benchmark run is told on its command line.</summary>
public sealed class BenchOptions
{
    /// <summary>Name of the target in reports, e.g. <c>mirc</c> or <c>orthanc</c>.</summary>
    public string Label { get; set; } = "target";

    /// <summary>DIMSE peer host.</summary>
    public string DicomHost { get; set; } = "127.0.0.1";

    /// <summary>DIMSE peer port; 0 skips the DIMSE operations.</summary>
    public int DicomPort { get; set; } = 11112;

    /// <summary>Called AE title (the archive).</summary>
    public string CalledAe { get; set; } = "MIRC";

    /// <summary>Calling AE title (this benchmark as SCU).</summary>
    public string CallingAe { get; set; } = "MIRCBENCH";

    /// <summary>AE title of the benchmark's own C-MOVE receiving SCP.</summary>
    public string MoveAe { get; set; } = "MIRCBENCHRCV";

    /// <summary>Port of the C-MOVE receiving SCP (must match what the target knows for <see cref="MoveAe"/>); 0 picks a free one.</summary>
    public int MovePort { get; set; }

    /// <summary>DICOMweb base URL (the one under which <c>/studies</c> lives); null skips the DICOMweb operations.</summary>
    public Uri? DicomWebUrl { get; set; }

    /// <summary>Bearer token sent on every DICOMweb request.</summary>
    public string? Bearer { get; set; }

    /// <summary>Folder of DICOM files to use instead of synthetic studies.</summary>
    public string? InputFolder { get; set; }

    /// <summary>Slices of the synthetic CT (512×512, 16-bit).</summary>
    public int CtSlices { get; set; } = 300;

    /// <summary>Slices of the synthetic MR (256×256, 16-bit).</summary>
    public int MrSlices { get; set; } = 40;

    /// <summary>Frames of the synthetic multi-frame instance (256×256, 8-bit).</summary>
    public int Frames { get; set; } = 1000;

    /// <summary>Parallel associations for the main C-STORE run.</summary>
    public int Associations { get; set; } = 4;

    /// <summary>Association counts for the C-STORE scaling runs (empty: none).</summary>
    public IReadOnlyList<int> Scaling { get; set; } = [1, 2, 4, 8];

    /// <summary>Instances per STOW-RS request.</summary>
    public int StowBatch { get; set; } = 10;

    /// <summary>Parallel STOW-RS requests.</summary>
    public int StowParallel { get; set; } = 4;

    /// <summary>How many times each retrieval of a whole study or series is repeated.</summary>
    public int Repeat { get; set; } = 3;

    /// <summary>How many times each small request (query, instance, frame) is repeated.</summary>
    public int SmallRepeat { get; set; } = 30;

    /// <summary>
    /// Sequential WADO-RS requests of single instances: more than <see cref="SmallRepeat"/>, since each takes a few
    /// milliseconds on either server and a single stall of the machine among 30 moved the rate by a factor of three.
    /// </summary>
    public int InstanceRepeat { get; set; } = 300;

    /// <summary>
    /// Concurrent DICOMweb clients of the load runs (QIDO-RS by Patient ID and WADO-RS of single instances, each client
    /// sending <see cref="SmallRepeat"/> requests one after another): a region's viewers opening priors at once. 0 = not run.
    /// </summary>
    public int Clients { get; set; } = 50;

    /// <summary>
    /// One-instance studies (a 64×64 CT slice, each of its own patient) stored per protocol: the radiograph-sized
    /// exams most of a region's traffic is made of, where the cost per study (new study, new patient) dominates.
    /// STOW-RS sends them in batches of 50 on one connection, C-STORE over the C-STORE associations. 0 = not run.
    /// </summary>
    public int SmallStudies { get; set; } = 1000;

    /// <summary>
    /// Unmeasured warm-up rounds before the figures: each stores a fresh copy of the CT per protocol (STOW-RS, C-STORE),
    /// then one C-GET / WADO-RS of it follows, and the study every retrieval reads is read once before the measured
    /// retrievals. So a just-started server is measured in its steady state: a JIT runtime reaches its optimized code
    /// only after a few thousand requests (measured on our silo: 3.3 ms CPU per stored instance in the first ~3,000,
    /// 1.4 ms after), and every server serves the measured study from the same warm state whatever its write path left
    /// in the page cache. 0 = no warm-up.
    /// </summary>
    public int WarmUpRounds { get; set; } = 5;

    /// <summary>Whether any warm-up runs.</summary>
    public bool WarmUp => WarmUpRounds > 0;

    /// <summary>Seed salting every generated UID, so two runs against one server do not collide.</summary>
    public string Seed { get; set; } = "1";

    /// <summary>Folder for <c>results.json</c> and <c>results.md</c>; null writes nothing.</summary>
    public string? OutFolder { get; set; }

    /// <summary>Run the DIMSE operations.</summary>
    public bool Dimse { get; set; } = true;

    /// <summary>Run the DICOMweb operations.</summary>
    public bool DicomWeb { get; set; } = true;

    /// <summary>Seconds after which a single request is abandoned.</summary>
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>PID of the measured server when it runs on this machine (0: its CPU is not measured).</summary>
    public int ServerPid { get; set; }
}
