namespace Mirc.Bench.Measurement;

/// <summary>One-line human summary of a result.</summary>
public static class ResultLine
{
    /// <summary>E.g. <c>dimse.c-store.k4  300 img  1234.5 img/s  645.2 MB/s  p50 3.1 ms …</c>.</summary>
    public static string Format(OperationResult r) => FormattableString.Invariant(
        $"{r.Name,-32} {r.Images,7} img {r.ImagesPerSecond,9:0.0} img/s {r.MegabytesPerSecond,8:0.0} MB/s  p50 {r.LatencyP50Ms:0.0} p95 {r.LatencyP95Ms:0.0} p99 {r.LatencyP99Ms:0.0} ms")
        + (r.ServerCpuMsPerImage is { } cpu ? FormattableString.Invariant($"  server CPU {cpu:0.00} ms/img") : "")
        + (r.Failures > 0 ? $"  FAILED {r.Failures}: {r.Error}" : "");
}
