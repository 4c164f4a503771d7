using System.Diagnostics;

namespace Mirc.Bench.Measurement;

/// <summary>
/// Collects request latencies and volumes of one operation from any number of concurrent workers, and shows progress.
/// </summary>
public sealed class OperationRecorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _latenciesMs = [];
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly ProgressLine _progress;
    private readonly double? _serverCpuAtStart = ServerCpu.Seconds();
    private long _images;
    private long _bytes;
    private int _failures;
    private string? _error;

    /// <summary>Starts the clock for operation <paramref name="name"/>; <paramref name="expectedImages"/> is for progress only.</summary>
    public OperationRecorder(string name, string description, long expectedImages)
    {
        Name = name;
        Description = description;
        _progress = new ProgressLine(name, expectedImages, () => Interlocked.Read(ref _images), _wall);
    }

    /// <summary>Operation key.</summary>
    public string Name { get; }

    /// <summary>What was done.</summary>
    public string Description { get; }

    /// <summary>Records a successful request that moved <paramref name="images"/> images and <paramref name="bytes"/> bytes.</summary>
    public void Success(TimeSpan latency, long images, long bytes)
    {
        Interlocked.Add(ref _images, images);
        Interlocked.Add(ref _bytes, bytes);
        lock (_gate) _latenciesMs.Add(latency.TotalMilliseconds);
    }

    /// <summary>Records a failed request.</summary>
    public void Failure(Exception error)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.CompareExchange(ref _error, $"{error.GetType().Name}: {error.Message}", null);
    }

    /// <summary>
    /// Times <paramref name="request"/>, which returns the images and bytes it moved, and records it; any failure is recorded,
    /// except the cancellation of the whole run (<paramref name="cancellationToken"/>), which propagates.
    /// </summary>
    public async Task MeasureAsync(Func<Task<(long Images, long Bytes)>> request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (images, bytes) = await request().ConfigureAwait(false);
            Success(Stopwatch.GetElapsedTime(started), images, bytes);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Failure(e);
        }
    }

    private double? ServerCpuMsPerImage(long images) =>
        images > 0 && _serverCpuAtStart is { } start && ServerCpu.Seconds() is { } end ? (end - start) * 1000 / images : null;

    /// <summary>Stops the clock and computes the figures.</summary>
    public OperationResult Complete()
    {
        _wall.Stop();
        _progress.Dispose();
        double[] sorted;
        lock (_gate) sorted = [.. _latenciesMs];
        Array.Sort(sorted);
        var result = new OperationResult(
            Name, Description, sorted.Length, _failures, Interlocked.Read(ref _images), Interlocked.Read(ref _bytes), _wall.Elapsed.TotalSeconds,
            Percentile.NearestRank(sorted, 50), Percentile.NearestRank(sorted, 95), Percentile.NearestRank(sorted, 99), _error,
            ServerCpuMsPerImage(Interlocked.Read(ref _images)));
        Console.Error.WriteLine(ResultLine.Format(result));
        return result;
    }
}
