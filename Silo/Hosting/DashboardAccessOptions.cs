namespace Mirc.Silo.Hosting;

/// <summary>Who may open the Orleans Dashboard (section <c>Mirc:Dashboard</c>).</summary>
public sealed class DashboardAccessOptions
{
    public const string Section = "Mirc:Dashboard";

    /// <summary>
    /// Lets a browser on the silo's own machine open the dashboard without a token (the embedded default, where the
    /// operator sits at the machine). Remote callers always need a platform administrator's token.
    /// </summary>
    public bool AllowAnonymousLoopback { get; set; }
}
