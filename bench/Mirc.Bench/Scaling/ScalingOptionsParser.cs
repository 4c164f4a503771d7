using Mirc.Bench.Cli;
using System.Globalization;

namespace Mirc.Bench.Scaling;

/// <summary>Reads the <c>retrieve-scaling</c> subcommand's <c>--name value</c> pairs into <see cref="ScalingOptions"/>.</summary>
public static class ScalingOptionsParser
{
    /// <summary>Text printed by <c>retrieve-scaling --help</c>.</summary>
    public static readonly string Usage = $"""
        usage: Mirc.Bench retrieve-scaling [options]
        Retrieve cost per instance against study size (issue #8: it must stay flat). For each size a fresh study of that many
        64x64 16-bit CT instances is stored (not measured); after one unmeasured retrieval of each, --repeat rounds retrieve
        every study whole once (sizes interleaved) by C-GET (a new association each) and, with --dicomweb-url, by WADO-RS.
        {ArchiveEndpoints.Usage}
          --sizes LIST            study sizes in instances (default 10,100,1000,5000)
          --repeat N              measured retrievals per size and protocol (default 3)
          --associations K        parallel associations storing each study (default 4)
          --no-warm-up            skip the unmeasured retrieval before the first measured one
          --seed TEXT             salt of generated UIDs (default 1; change it to run twice against one archive)
          --timeout SECONDS       per request (default 600)
          --out DIR               write retrieve-scaling.json and retrieve-scaling.md into DIR
        reports per size and protocol: best and median wall time, images/s, microseconds per instance, and the ratio of the
        largest size's cost per instance to the smallest-but-one size's (the smallest is dominated by association set-up).
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a readable message on bad input.</summary>
    public static ScalingOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ScalingOptions();
        var options = new OptionReader(args);
        while (options.MoveNext())
        {
            if (o.Archive.TryApply(options.Name, options.Value))
            {
                continue;
            }

            switch (options.Name)
            {
                case "--sizes": o.Sizes = Sizes(options.Name, options.Value()); break;
                case "--repeat": o.Repeat = options.Positive(); break;
                case "--associations": o.Associations = options.Positive(); break;
                case "--no-warm-up": o.WarmUp = false; break;
                case "--seed": o.Seed = options.Value(); break;
                case "--timeout": o.TimeoutSeconds = options.Positive(); break;
                case "--out": o.OutFolder = options.Value(); break;
                default: throw options.Unknown();
            }
        }

        return o;
    }

    // Sorted and distinct: the flatness ratio reads the list by rank.
    private static int[] Sizes(string name, string value)
    {
        var sizes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => PositiveNumber(name, s))
            .Distinct()
            .Order()
            .ToArray();
        return sizes.Length > 0 ? sizes : throw new ArgumentException($"{name} needs at least one size");
    }

    private static int PositiveNumber(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new ArgumentException($"{name}: {value} is not a positive whole number");
}
