namespace Mirc.Bench.Memory;

/// <summary>What <see cref="ProcessMemoryWatch"/> saw during one step.</summary>
/// <param name="Before">Figures read when the step started.</param>
/// <param name="PeakRssBytes">Largest VmRSS sampled (the samples before and after the step included).</param>
/// <param name="PeakRssAnonBytes">Largest RssAnon sampled.</param>
/// <param name="HwmAtEndBytes">VmHWM read when the step ended (the step's own peak when <paramref name="HwmWasReset"/>).</param>
/// <param name="HwmWasReset">True when VmHWM was reset at the start of the step.</param>
/// <param name="Samples">Number of samples taken.</param>
/// <param name="Error">Why sampling stopped early (e.g. the process exited), if it did.</param>
public sealed record MemoryWindow(ProcMemoryStatus Before, long PeakRssBytes, long PeakRssAnonBytes, long HwmAtEndBytes, bool HwmWasReset, int Samples, string? Error)
{
    /// <summary>The step's peak: the sampled maximum, or VmHWM when it was reset for this step (it also sees peaks between samples).</summary>
    public long PeakBytes => HwmWasReset ? Math.Max(PeakRssBytes, HwmAtEndBytes) : PeakRssBytes;
}

/// <summary>
/// Samples <c>/proc/&lt;pid&gt;/status</c> of another process every interval while a step runs, in the background.
/// </summary>
public sealed class ProcessMemoryWatch : IAsyncDisposable
{
    private readonly int _pid;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly ProcMemoryStatus _before;
    private readonly bool _hwmWasReset;
    private Task? _loop;
    private long _peakRss;
    private long _peakAnon;
    private int _samples;
    private string? _error;

    private ProcessMemoryWatch(int pid, TimeSpan interval, ProcMemoryStatus before, bool hwmWasReset)
    {
        _pid = pid;
        _interval = interval;
        _before = before;
        _hwmWasReset = hwmWasReset;
        Record(before);
    }

    /// <summary>Reads the current figures, resets VmHWM if allowed, and starts sampling.</summary>
    public static async Task<ProcessMemoryWatch> StartAsync(int pid, TimeSpan interval, CancellationToken cancellationToken)
    {
        var before = await ProcMemoryStatus.ReadAsync(pid, cancellationToken).ConfigureAwait(false);
        var reset = await ProcMemoryStatus.TryResetPeakAsync(pid, cancellationToken).ConfigureAwait(false);
        var watch = new ProcessMemoryWatch(pid, interval, before, reset);
        watch._loop = watch.SampleAsync(watch._stop.Token);
        return watch;
    }

    /// <summary>Stops sampling, takes a last sample and VmHWM, and returns the window.</summary>
    public async Task<MemoryWindow> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        var hwm = 0L;
        try
        {
            var last = await ProcMemoryStatus.ReadAsync(_pid, CancellationToken.None).ConfigureAwait(false);
            Record(last);
            hwm = last.HwmBytes;
        }
        catch (IOException e)
        {
            _error ??= e.Message;
        }

        return new MemoryWindow(_before, _peakRss, _peakAnon, hwm, _hwmWasReset, _samples, _error);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                Record(await ProcMemoryStatus.ReadAsync(_pid, stop).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (IOException e)
        {
            _error = e.Message;
        }
    }

    // Only the sampling loop writes after start (StopAsync writes once the loop has ended).
    private void Record(ProcMemoryStatus status)
    {
        _peakRss = Math.Max(_peakRss, status.RssBytes);
        _peakAnon = Math.Max(_peakAnon, status.RssAnonBytes);
        _samples++;
    }
}
