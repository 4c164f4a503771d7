namespace Mirc.Grains.Ingest;

/// <summary>What one reconciliation pass did.</summary>
/// <param name="Completed">Promoted blobs whose registrations were completed.</param>
/// <param name="Dropped">Journal records with nothing to complete (blob never promoted).</param>
/// <param name="Failed">Records that failed and are kept for the next pass.</param>
/// <param name="StagedDeleted">Abandoned staged uploads deleted.</param>
public sealed record ReconciliationReport(int Completed, int Dropped, int Failed, int StagedDeleted)
{
    /// <summary>Failed ingests whose undo had failed, undone now.</summary>
    public int Undone { get; init; }
}
