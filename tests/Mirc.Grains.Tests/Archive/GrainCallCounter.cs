using System.Collections.Concurrent;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Counts grain calls received by the silo, per interface method (installed as an incoming call filter).</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts);

    public void Reset() => _counts.Clear();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        _counts.AddOrUpdate($"{context.InterfaceName}.{context.MethodName}", 1, (_, n) => n + 1);
        return context.Invoke();
    }
}
