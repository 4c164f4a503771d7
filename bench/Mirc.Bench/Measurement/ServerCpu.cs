using System.Globalization;

namespace Mirc.Bench.Measurement;

/// <summary>
/// CPU time (user + system) the measured server process has used, read from Linux <c>/proc/PID/stat</c>: CPU per
/// image is far less sensitive than a rate to other load on the machine. Off unless <c>--server-pid</c> names the process.
/// </summary>
public static class ServerCpu
{
    // USER_HZ is 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>The server's PID (0: not measured).</summary>
    public static int Pid { get; set; }

    /// <summary>CPU seconds used so far by the server, or null when not measured or unreadable.</summary>
    public static double? Seconds()
    {
        if (Pid <= 0)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
