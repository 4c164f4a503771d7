using System.Globalization;

namespace Mirc.Bench.Memory;

/// <summary>
/// Memory figures of a Linux process from <c>/proc/&lt;pid&gt;/status</c>: resident set (the working set), its peak since
/// start or last reset, and the anonymous part of the resident set (heap, not mapped files).
/// </summary>
/// <param name="RssBytes">VmRSS.</param>
/// <param name="HwmBytes">VmHWM (peak VmRSS).</param>
/// <param name="RssAnonBytes">RssAnon (0 on kernels that do not report it).</param>
public readonly record struct ProcMemoryStatus(long RssBytes, long HwmBytes, long RssAnonBytes)
{
    /// <summary>Parses the text of a <c>status</c> file; throws <see cref="FormatException"/> when VmRSS or VmHWM is missing.</summary>
    public static ProcMemoryStatus Parse(string status)
    {
        long? rss = null, hwm = null;
        long anon = 0;
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("VmRSS:")) rss = Kilobytes(line);
            else if (line.StartsWith("VmHWM:")) hwm = Kilobytes(line);
            else if (line.StartsWith("RssAnon:")) anon = Kilobytes(line);
        }

        return rss is { } r && hwm is { } h ? new ProcMemoryStatus(r, h, anon) : throw new FormatException("status has no VmRSS / VmHWM line");
    }

    /// <summary>Reads the figures of process <paramref name="pid"/>; throws <see cref="IOException"/> once it has exited.</summary>
    public static async Task<ProcMemoryStatus> ReadAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await File.ReadAllTextAsync($"/proc/{pid}/status", cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            throw new IOException($"process {pid} is not running (or is not a Linux process with /proc/{pid}/status)", e);
        }
    }

    /// <summary>Figures of this benchmark process itself.</summary>
    public static ProcMemoryStatus Self() => Parse(File.ReadAllText("/proc/self/status"));

    /// <summary>
    /// Resets VmHWM of <paramref name="pid"/> to its current VmRSS (writing 5 to <c>/proc/&lt;pid&gt;/clear_refs</c>, Linux ≥ 4.0,
    /// same user needed), so the HWM read after a step is that step's peak; false when not permitted.
    /// </summary>
    public static async Task<bool> TryResetPeakAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync($"/proc/{pid}/clear_refs", "5", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // "VmRSS:\t  123456 kB"
    private static long Kilobytes(ReadOnlySpan<char> line)
    {
        var value = line[(line.IndexOf(':') + 1)..].Trim();
        var space = value.IndexOf(' ');
        if (space >= 0) value = value[..space];
        return long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
    }
}
