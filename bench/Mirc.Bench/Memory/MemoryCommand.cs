using Mirc.Bench.Measurement;

namespace Mirc.Bench.Memory;

/// <summary><c>memory --pid PID …</c>: the memory bound of issue #8, measured on a running silo.</summary>
public static class MemoryCommand
{
    /// <summary>Runs the steps, prints the table, writes <c>memory.json</c>/<c>memory.md</c> into <c>--out</c>; exit code 0 only when the bound held.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(MemoryOptionsParser.Usage);
            return 0;
        }

        var options = MemoryOptionsParser.Parse(args);
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage.OneMinute();
        try
        {
            await ProcMemoryStatus.ReadAsync(options.SiloPid, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ArgumentException($"--pid: {e.Message}", e);
        }

        IReadOnlyList<MemoryStepResult> steps;
        try
        {
            steps = await new MemoryScenario(options).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The silo vanished between steps: the bound cannot be judged.
            Console.Error.WriteLine($"memory: {e.Message}");
            return 3;
        }

        long hwm;
        try
        {
            hwm = (await ProcMemoryStatus.ReadAsync(options.SiloPid, cancellationToken).ConfigureAwait(false)).HwmBytes;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"memory: {e.Message}");
            hwm = 0;
        }

        var report = new MemoryReport(
            started,
            MachineDescription.Describe(loadBefore),
            options.Archive.ToString(),
            options.SiloPid, options.LimitBytes, steps, hwm, ProcMemoryStatus.Self().HwmBytes);
        Console.WriteLine(MemoryReportMarkdown.Format(report));
        if (options.OutFolder is not null)
        {
            var (json, markdown) = await MemoryReportFiles.WriteAsync(report, options.OutFolder, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"wrote {json} and {markdown}");
        }

        return report.BoundHeld ? 0 : 2;
    }
}
