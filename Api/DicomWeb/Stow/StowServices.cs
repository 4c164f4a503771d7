using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.Hosting;
using Mirc.Grains.Ingest;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>What STOW-RS needs, injected as one parameter.</summary>
public sealed class StowServices(
    IInstanceIngestor ingestor,
    IDicomWebAccessPolicy access,
    DicomWebAudit audit,
    IOptions<MircApiOptions> options,
    ILogger<StowRequestLog> logger)
{
    /// <summary>The ingest pipeline.</summary>
    public IInstanceIngestor Ingestor => ingestor;

    /// <summary>The authorization hook.</summary>
    public IDicomWebAccessPolicy Access => access;

    /// <summary>The audit recorder.</summary>
    public DicomWebAudit Audit => audit;

    /// <summary>API options.</summary>
    public IOptions<MircApiOptions> Options => options;

    /// <summary>Request log.</summary>
    public ILogger<StowRequestLog> Logger => logger;
}
