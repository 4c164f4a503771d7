namespace Mirc.Grains.Retention;

/// <summary>Outcome of one <see cref="RetentionSweep.RunAsync"/>.</summary>
/// <param name="DryRun">Whether nothing was actually deleted.</param>
/// <param name="Expired">Study Instance UIDs past their retention (erased unless <paramref name="DryRun"/>).</param>
/// <param name="Failed">Studies whose erasure failed this time (their bucket's reminder retries them).</param>
public sealed record RetentionSweepReport(bool DryRun, IReadOnlyList<string> Expired, IReadOnlyList<string> Failed);
