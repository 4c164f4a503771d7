using System.Globalization;

namespace Mirc.Bench.Measurement;

/// <summary>The machine's 1-minute load average (Linux <c>/proc/loadavg</c>): figures taken on a busy machine are not comparable.</summary>
public static class LoadAverage
{
    /// <summary>The 1-minute load average, or null where <c>/proc/loadavg</c> does not exist.</summary>
    public static double? OneMinute()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ', 2)[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
