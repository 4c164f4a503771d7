using System.ComponentModel.DataAnnotations;

namespace Mirc.Silo.Hosting;

/// <summary>Where the host listens and keeps its data (section <c>Mirc</c>).</summary>
public sealed class MircHostOptions
{
    public const string Section = "Mirc";

    /// <summary>Root folder for blobs, grain state and the SQLite index in the embedded default.</summary>
    [Required]
    public string DataPath { get; set; } = "./data";

    /// <summary>HTTP listen URL; plain HTTP is only accepted on loopback.</summary>
    [Required]
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Orleans silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id (cluster mode shares it between silos).</summary>
    [Required]
    public string ClusterId { get; set; } = "mirc";

    /// <summary>Orleans service id.</summary>
    [Required]
    public string ServiceId { get; set; } = "mirc";

    /// <summary>
    /// How long a stop (SIGTERM) may take: the silo leaves the cluster and hands its grains over gracefully within it,
    /// then stops regardless. Below the orchestrator's grace period (Kubernetes and Container Apps: 60 s), so the
    /// process exits on its own before it is killed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(45);
}
