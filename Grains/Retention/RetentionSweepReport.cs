namespace Mirc.Grains.Retention;

/// <summary>Outcome of one <see cref="RetentionSweep.RunAsync"/>.</summary>
/// <param name="DryRun">Whether nothing was actually deleted.</param>
/// <param name="Expired">Study Instance UIDs past their retention (deleted unless <paramref name="DryRun"/>).</param>
/// <param name="Failed">Studies whose deletion failed (retried next sweep).</param>
public sealed record RetentionSweepReport(bool DryRun, IReadOnlyList<string> Expired, IReadOnlyList<string> Failed);
