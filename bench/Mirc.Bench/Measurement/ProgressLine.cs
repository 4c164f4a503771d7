using System.Diagnostics;

namespace Mirc.Bench.Measurement;

/// <summary>Rewrites one stderr line twice a second with the running count and rate of an operation.</summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly Timer _timer;

    public ProgressLine(string name, long expected, Func<long> done, Stopwatch wall)
    {
        var interactive = !Console.IsErrorRedirected;
        var ticks = 0;
        _timer = new Timer(_ =>
        {
            var n = done();
            var seconds = wall.Elapsed.TotalSeconds;
            var line = FormattableString.Invariant($"  {name}: {n}/{expected} images, {n / Math.Max(seconds, 1e-9):0} img/s, {seconds:0.0} s");
            // A redirected stderr (compare.sh log) gets one line every 5 s instead of carriage returns.
            if (interactive) Console.Error.Write("\r" + line.PadRight(78));
            else if (++ticks % 10 == 0) Console.Error.WriteLine(line);
        }, null, 500, 500);
    }

    public void Dispose()
    {
        _timer.Dispose();
        if (!Console.IsErrorRedirected) Console.Error.Write("\r" + new string(' ', 78) + "\r");
    }
}
