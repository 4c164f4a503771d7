using System.Collections.Concurrent;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// Counts calls of our grain interfaces received by the silo, per interface method (installed as an incoming call
/// filter). The runtime's own deliveries through the same filters — grain timer ticks, reminder ticks — are not
/// counted: they come at their own pace, so under load they inflated a per-instance count made of our calls.
/// </summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts);

    public void Reset() => _counts.Clear();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!IsOurs(context))
        {
            return context.Invoke();
        }

        _counts.AddOrUpdate($"{context.InterfaceName}.{context.MethodName}", 1, (_, n) => n + 1);
        return context.Invoke();
    }

    private static bool IsOurs(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType?.Assembly.GetName().Name?.StartsWith("Mirc.", StringComparison.Ordinal) == true;
}
