namespace Mirc.Bench.Measurement;

/// <summary>The figures of one measured operation.</summary>
/// <param name="Name">Operation key, stable across targets, e.g. <c>dimse.c-store.k4</c>.</param>
/// <param name="Description">What was done, for people.</param>
/// <param name="Requests">Requests (associations' operations, HTTP requests) that succeeded.</param>
/// <param name="Failures">Requests that failed.</param>
/// <param name="Images">Instances (or frames, for frame retrieval) moved.</param>
/// <param name="Bytes">Payload bytes moved.</param>
/// <param name="Seconds">Wall-clock time of the whole operation.</param>
/// <param name="LatencyP50Ms">Median request latency.</param>
/// <param name="LatencyP95Ms">95th percentile request latency.</param>
/// <param name="LatencyP99Ms">99th percentile request latency.</param>
/// <param name="Error">First failure message, if any.</param>
/// <param name="ServerCpuMsPerImage">CPU milliseconds the server used per image during the operation (with <c>--server-pid</c>).</param>
public sealed record OperationResult(
    string Name,
    string Description,
    int Requests,
    int Failures,
    long Images,
    long Bytes,
    double Seconds,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    string? Error,
    double? ServerCpuMsPerImage = null)
{
    /// <summary>Images per second over the wall-clock time.</summary>
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : 0;

    /// <summary>Successful requests per second over the wall-clock time.</summary>
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Megabytes (10^6 bytes) per second over the wall-clock time.</summary>
    public double MegabytesPerSecond => Seconds > 0 ? Bytes / 1e6 / Seconds : 0;
}
