using System.Diagnostics;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Scaling;

/// <summary>The timed retrievals of one study by one protocol, collected run by run into a <see cref="ScalingRow"/>.</summary>
/// <param name="protocol">Retrieval kind, e.g. <c>dimse.c-get</c>.</param>
/// <param name="instances">Instances of the study, each retrieval moves all of them.</param>
public sealed class RetrievalSeries(string protocol, int instances)
{
    private readonly List<double> _seconds = [];
    private readonly List<double> _loads = [];
    private int _failures;
    private string? _error;

    /// <summary>Retrieval kind.</summary>
    public string Protocol => protocol;

    /// <summary>Instances of the study.</summary>
    public int Instances => instances;

    /// <summary>
    /// Times one run of <paramref name="retrieve"/>; a failure is counted (the next run still happens), except the
    /// cancellation of the whole run through <paramref name="cancellationToken"/>, which propagates.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> retrieve, CancellationToken cancellationToken)
    {
        if (LoadAverage.OneMinute() is { } load) _loads.Add(load);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await retrieve(cancellationToken).ConfigureAwait(false);
            _seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail($"{e.GetType().Name}: {e.Message}", 1);
        }
    }

    /// <summary>Counts <paramref name="runs"/> failed runs, e.g. every planned one when the study could not be stored.</summary>
    public void Fail(string error, int runs)
    {
        _failures += runs;
        _error ??= error;
    }

    /// <summary>The figures so far; the load is the mean of the 1-minute load averages seen before each run.</summary>
    public ScalingRow ToRow() =>
        new(protocol, instances, [.. _seconds], _failures, _error, _loads.Count == 0 ? LoadAverage.OneMinute() : _loads.Average());
}
