namespace Mirc.Grains.Interfaces.Operations;

/// <summary>What a backfill of the change feed did.</summary>
[GenerateSerializer, Alias("mirc.ChangeFeedBackfillReport")]
public sealed record ChangeFeedBackfillReport
{
    /// <summary>Stored study manifests walked.</summary>
    [Id(0)] public int StudiesScanned { get; init; }

    /// <summary>Studies the feed did not know, now given Create events.</summary>
    [Id(1)] public int StudiesAppended { get; init; }

    /// <summary>Create events appended.</summary>
    [Id(2)] public int EventsAppended { get; init; }
}
