using System.Globalization;
using System.Runtime.InteropServices;

namespace Mirc.Bench.Measurement;

/// <summary>The machine line of every report: cores, OS, runtime, and the 1-minute load at start and now.</summary>
public static class MachineDescription
{
    /// <summary>Describes this machine for a run whose load average was <paramref name="loadAtStart"/>.</summary>
    public static string Describe(double? loadAtStart) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, 1-min load average {loadAtStart:0.0} at start, {LoadAverage.OneMinute():0.0} at end");
}
