using Mirc.Bench.Measurement;

namespace Mirc.Bench.Run;

/// <summary>Everything a run produced, as written to <c>results.json</c>.</summary>
/// <param name="Label">Target name.</param>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Machine">Cores and OS of the machine running the benchmark.</param>
/// <param name="Target">Where the target was reached.</param>
/// <param name="Data">What data was used.</param>
/// <param name="Results">One entry per measured operation, in run order.</param>
public sealed record BenchReport(string Label, DateTimeOffset StartedUtc, string Machine, string Target, string Data, IReadOnlyList<OperationResult> Results);
