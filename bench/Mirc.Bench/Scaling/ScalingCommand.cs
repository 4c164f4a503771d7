using System.Globalization;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Scaling;

/// <summary><c>retrieve-scaling …</c>: retrieve cost per instance against study size (issue #8), measured on a running archive.</summary>
public static class ScalingCommand
{
    /// <summary>Runs every size, prints the table, writes <c>retrieve-scaling.json</c>/<c>.md</c> into <c>--out</c>; exit code 0 only when every retrieval succeeded.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ScalingOptionsParser.Usage);
            return 0;
        }

        var options = ScalingOptionsParser.Parse(args);
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage.OneMinute();
        var rows = await new ScalingScenario(options).RunAsync(cancellationToken).ConfigureAwait(false);
        var report = new ScalingReport(
            started,
            MachineDescription.Describe(loadBefore),
            options.Archive.ToString(),
            string.Create(CultureInfo.InvariantCulture,
                $"64x64 16-bit CT instances (~9 KB each), studies of {string.Join(", ", options.Sizes)} instances stored over {options.Associations} associations"),
            options.Repeat,
            options.WarmUp,
            rows);
        Console.WriteLine(ScalingReportMarkdown.Format(report));
        if (options.OutFolder is not null)
        {
            var (json, markdown) = await ScalingReportFiles.WriteAsync(report, options.OutFolder, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"wrote {json} and {markdown}");
        }

        return report.Succeeded ? 0 : 2;
    }
}
