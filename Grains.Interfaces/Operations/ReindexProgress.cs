namespace Mirc.Grains.Interfaces.Operations;

/// <summary>One step of a query-index rebuild from the change feed (the <c>admin reindex</c> command loops over them).</summary>
[GenerateSerializer, Alias("mirc.ReindexProgress")]
public sealed record ReindexProgress
{
    /// <summary>Studies written to the index in this step.</summary>
    [Id(0)] public int StudiesIndexed { get; init; }

    /// <summary>Studies the feed names that are deleted or empty (removed from the index if present).</summary>
    [Id(1)] public int StudiesRemoved { get; init; }

    /// <summary>Instances written to the index in this step.</summary>
    [Id(2)] public int Instances { get; init; }

    /// <summary>Instances of the manifests whose stored header could not be read (left out, logged).</summary>
    [Id(3)] public int Unreadable { get; init; }

    /// <summary>Where the next step starts (sequence of the last study's first event).</summary>
    [Id(4)] public long NextCursor { get; init; }

    /// <summary>True when the feed has no study after <see cref="NextCursor"/>.</summary>
    [Id(5)] public bool Done { get; init; }
}
