namespace Mirc.Bench.Dimse;

/// <summary>Where and as whom the benchmark opens associations.</summary>
/// <param name="Host">Peer host.</param>
/// <param name="Port">Peer port.</param>
/// <param name="CalledAe">Peer AE title.</param>
/// <param name="CallingAe">Our AE title.</param>
public sealed record DimseTarget(string Host, int Port, string CalledAe, string CallingAe);
