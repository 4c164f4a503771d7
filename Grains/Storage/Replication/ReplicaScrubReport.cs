namespace Mirc.Grains.Storage.Replication;

/// <summary>Outcome of one scrub of both sites.</summary>
[GenerateSerializer, Alias("mirc.ReplicaScrubReport")]
public sealed record ReplicaScrubReport
{
    /// <summary>Blobs compared (instances by digest, other replicated blobs by content).</summary>
    [Id(0)] public int Compared { get; init; }

    /// <summary>Blobs rewritten on the first site from the second.</summary>
    [Id(1)] public int RepairedOnFirst { get; init; }

    /// <summary>Blobs rewritten on the second site from the first.</summary>
    [Id(2)] public int RepairedOnSecond { get; init; }

    /// <summary>Instances neither site holds with the manifest's digest.</summary>
    [Id(3)] public int Unrepairable { get; init; }

    /// <summary>Keys repaired or unrepairable (at most 100), for the audit and the operator.</summary>
    [Id(4)] public IReadOnlyList<string> Keys { get; init; } = [];
}
