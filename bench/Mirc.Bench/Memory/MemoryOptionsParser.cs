using Mirc.Bench.Cli;

namespace Mirc.Bench.Memory;

/// <summary>Reads the <c>memory</c> subcommand's <c>--name value</c> pairs into <see cref="MemoryOptions"/>.</summary>
public static class MemoryOptionsParser
{
    /// <summary>Text printed by <c>memory --help</c>.</summary>
    public static readonly string Usage = $"""
        usage: Mirc.Bench memory --pid PID [options]
        Memory bound of issue #8: the silo's resident set while it ingests one huge multi-frame instance (generated while
        it is sent, never held in memory) and while it serves a study of thousands of instances.
          --pid PID               process id of the silo (its /proc/PID/status is sampled)
        {ArchiveEndpoints.Usage}
          --multiframe-bytes N    pixel data of the multi-frame instance (default 2000000000; 0 = skip)
          --frame-side N          its frames are N x N 8-bit (default 512)
          --instances N           instances of the large study, 64x64 16-bit CT (default 5000; 0 = skip)
          --associations K        parallel associations storing the large study (default 4)
          --limit-mb N            the bound, in MB of 10^6 bytes (default 1000)
          --sample-ms N           sampling interval (default 100)
          --seed TEXT             salt of generated UIDs (default 1)
          --timeout SECONDS       per request (default 1800)
          --out DIR               write memory.json and memory.md into DIR
        steps: C-STORE of the multi-frame instance, C-GET of it, C-STORE of the study over K associations, C-GET of the
        study (and WADO-RS of both with --dicomweb-url); each reports the silo's RSS before, peak RSS, VmHWM at its end,
        duration and rate, and whether the bound held.
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a readable message on bad input.</summary>
    public static MemoryOptions Parse(IReadOnlyList<string> args)
    {
        var o = new MemoryOptions();
        var options = new OptionReader(args);
        while (options.MoveNext())
        {
            if (o.Archive.TryApply(options.Name, options.Value))
            {
                continue;
            }

            switch (options.Name)
            {
                case "--pid": o.SiloPid = options.Positive(); break;
                case "--multiframe-bytes": o.MultiFrameBytes = options.Long(); break;
                case "--frame-side": o.FrameSide = options.Positive(); break;
                case "--instances": o.Instances = options.Int(); break;
                case "--associations": o.Associations = options.Positive(); break;
                case "--limit-mb": o.LimitBytes = options.Positive() * 1_000_000L; break;
                case "--sample-ms": o.SampleInterval = TimeSpan.FromMilliseconds(options.Positive()); break;
                case "--seed": o.Seed = options.Value(); break;
                case "--timeout": o.TimeoutSeconds = options.Positive(); break;
                case "--out": o.OutFolder = options.Value(); break;
                default: throw options.Unknown();
            }
        }

        if (o.SiloPid == 0) throw new ArgumentException("memory needs --pid of the silo");
        if (o.FrameSide % 2 != 0 || o.FrameSide > 4096) throw new ArgumentException("--frame-side must be even and at most 4096");
        if (o.MultiFrameBytes == 0 && o.Instances == 0) throw new ArgumentException("nothing to do: --multiframe-bytes and --instances are both 0");
        return o;
    }
}
