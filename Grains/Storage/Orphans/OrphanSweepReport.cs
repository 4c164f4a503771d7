namespace Mirc.Grains.Storage.Orphans;

/// <summary>What one orphan sweep did.</summary>
/// <param name="Examined">Blobs older than the grace period that were checked.</param>
/// <param name="Deleted">Unreferenced blobs deleted (or that would be, in dry run).</param>
/// <param name="Journaled">Unreferenced blobs kept because an ingest journal still names them (reconciliation registers them).</param>
/// <param name="StagingDeleted">Leftovers of the staging container deleted.</param>
[GenerateSerializer, Immutable, Alias("mirc.OrphanSweepReport")]
public sealed record OrphanSweepReport(
    [property: Id(0)] int Examined,
    [property: Id(1)] int Deleted,
    [property: Id(2)] int Journaled,
    [property: Id(3)] int StagingDeleted);
