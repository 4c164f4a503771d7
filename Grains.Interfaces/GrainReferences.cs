namespace Mirc.Grains.Interfaces;

/// <summary>
/// References to string-keyed grains without Orleans' per-call type resolution: <c>GetGrain&lt;T&gt;(string)</c> resolves
/// the interface's grain interface type by reflection over its attributes on every call (Orleans'
/// <c>GrainInterfaceTypeResolver</c> keeps no cache), which took ~3 % of the silo's CPU while it stored one-instance
/// studies (bench/README.md, "Ingest, tenth pass"). Both types are fixed per interface: resolved once, then the grain id
/// is built directly. Same references as <c>GetGrain&lt;T&gt;(key)</c>.
/// </summary>
public static class GrainReferences
{
    /// <summary>The grain of interface <typeparamref name="T"/> with primary key <paramref name="key"/>.</summary>
    public static T Reference<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        var types = TypesOf<T>.Resolved ??= Resolve<T>(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    private static ResolvedTypes Resolve<T>(IGrainFactory grains)
        where T : IGrainWithStringKey
    {
        // One call through Orleans' own resolution: its reference carries both types.
        var probe = (GrainReference)(object)grains.GetGrain<T>("type-probe");
        return new ResolvedTypes(probe.GrainId.Type, probe.InterfaceType);
    }

    // A class, so that a reader never sees a half-written pair; a race resolves the same pair twice.
    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class TypesOf<T>
    {
        public static ResolvedTypes? Resolved;
    }
}
