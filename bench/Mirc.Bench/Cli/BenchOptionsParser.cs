using System.Globalization;

namespace Mirc.Bench.Cli;

/// <summary>Reads <c>--name value</c> pairs into <see cref="BenchOptions"/>.</summary>
public static class BenchOptionsParser
{
    /// <summary>Text printed by <c>--help</c>.</summary>
    public const string Usage = """
        Mirc.Bench: end-to-end DIMSE / DICOMweb throughput benchmark.

        usage: Mirc.Bench [run] [options]
               Mirc.Bench compare --ours A.json --theirs B.json [--out DIR]
               Mirc.Bench blobs [--count N] [--size BYTES] [--parallel K]   (filesystem blob store, in process; blobs --help)
               Mirc.Bench index [--studies N] [--provider sqlite|postgres]  (query index, in process; index --help)
               Mirc.Bench memory --pid SILO_PID [--dicom-port P] [--dicomweb-url URL]  (silo memory bound, issue #8; memory --help)
               Mirc.Bench retrieve-scaling [--dicom-port P] [--sizes 10,100,1000,5000] [--repeat 3]  (retrieve cost per instance vs study size, issue #8; retrieve-scaling --help)

        target:
          --label NAME            name in reports (default: target)
          --dicom-host HOST       DIMSE host (default 127.0.0.1)
          --dicom-port PORT       DIMSE port (default 11112; 0 = no DIMSE)
          --called-ae AE          archive AE title (default MIRC)
          --calling-ae AE         our SCU AE title (default MIRCBENCH)
          --move-ae AE            our C-MOVE receiving SCP AE title (default MIRCBENCHRCV)
          --move-port PORT        port of the receiving SCP (default: a free port)
          --dicomweb-url URL      DICOMweb root, e.g. http://127.0.0.1:8080/dicomweb (none = no DICOMweb)
          --bearer TOKEN          Authorization: Bearer TOKEN on DICOMweb requests
        data:
          --input DIR             use the DICOM files of DIR instead of synthetic studies
          --ct-slices N           synthetic CT slices, 512x512 16-bit (default 300)
          --mr-slices N           synthetic MR slices, 256x256 16-bit (default 40)
          --frames N              frames of the synthetic multi-frame XA, 256x256 8-bit (default 1000)
          --seed TEXT             salt of generated UIDs (default 1)
        load:
          --associations K        parallel associations for C-STORE (default 4)
          --scaling LIST          C-STORE scaling runs, e.g. 1,2,4,8 (default; "none" to skip)
          --stow-batch B          instances per STOW-RS request (default 10)
          --stow-parallel K       parallel STOW-RS requests (default 4)
          --repeat N              repetitions of study/series retrievals (default 3)
          --small-repeat N        repetitions of queries and frame retrievals (default 30)
          --instance-repeat N     sequential WADO-RS retrievals of single instances (default 300)
          --clients N             concurrent DICOMweb clients of the QIDO-RS and WADO-RS load runs, each sending
                                  the small-repeat count of requests (default 50; 0 = none)
          --small-studies N       one-instance studies (64x64 CT, distinct patients) stored per protocol (default 1000; 0 = none)
          --warm-up-rounds N      unmeasured warm-up: N fresh CT copies stored per protocol, then one retrieval (default 5)
          --no-warm-up            skip the warm-up (same as --warm-up-rounds 0)
          --only dimse|dicomweb   run one protocol family only
          --timeout SECONDS       per request (default 300)
          --server-pid PID        also report the server's CPU ms per image (Linux /proc; the server runs on this machine)
        output:
          --out DIR               write results.json and results.md into DIR
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a readable message on bad input.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        var options = new OptionReader(args);
        while (options.MoveNext())
        {
            var name = options.Name;
            switch (name)
            {
                case "--label": o.Label = options.Value(); break;
                case "--dicom-host": o.DicomHost = options.Value(); break;
                case "--dicom-port": o.DicomPort = options.Int(); break;
                case "--called-ae": o.CalledAe = OptionValues.AeTitle(name, options.Value()); break;
                case "--calling-ae": o.CallingAe = OptionValues.AeTitle(name, options.Value()); break;
                case "--move-ae": o.MoveAe = OptionValues.AeTitle(name, options.Value()); break;
                case "--move-port": o.MovePort = options.Int(); break;
                case "--dicomweb-url": o.DicomWebUrl = OptionValues.Url(name, options.Value()); break;
                case "--bearer": o.Bearer = options.Value(); break;
                case "--input": o.InputFolder = options.Value(); break;
                case "--ct-slices": o.CtSlices = options.Positive(); break;
                case "--mr-slices": o.MrSlices = options.Int(); break;
                case "--frames": o.Frames = options.Int(); break;
                case "--seed": o.Seed = options.Value(); break;
                case "--associations": o.Associations = options.Positive(); break;
                case "--scaling": o.Scaling = List(name, options.Value()); break;
                case "--stow-batch": o.StowBatch = options.Positive(); break;
                case "--stow-parallel": o.StowParallel = options.Positive(); break;
                case "--repeat": o.Repeat = options.Positive(); break;
                case "--small-repeat": o.SmallRepeat = options.Positive(); break;
                case "--instance-repeat": o.InstanceRepeat = options.Positive(); break;
                case "--small-studies": o.SmallStudies = options.Int(); break;
                case "--clients": o.Clients = options.Int(); break;
                case "--warm-up-rounds": o.WarmUpRounds = options.Int(); break;
                case "--no-warm-up": o.WarmUpRounds = 0; break;
                case "--timeout": o.TimeoutSeconds = options.Positive(); break;
                case "--server-pid": o.ServerPid = options.Positive(); break;
                case "--out": o.OutFolder = options.Value(); break;
                case "--only":
                    var only = options.Value();
                    o.Dimse = only == "dimse";
                    o.DicomWeb = only == "dicomweb";
                    if (!o.Dimse && !o.DicomWeb) throw new ArgumentException("--only takes dimse or dicomweb");
                    break;
                default: throw options.Unknown();
            }
        }

        if (o.DicomPort == 0) o.Dimse = false;
        if (o.DicomWebUrl is null) o.DicomWeb = false;
        if (!o.Dimse && !o.DicomWeb) throw new ArgumentException("nothing to do: give --dicom-port and/or --dicomweb-url");
        return o;
    }


    private static int[] List(string name, string value) =>
        value == "none"
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name}: {s} is not a positive number"))
                .ToArray();
}
