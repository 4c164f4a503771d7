using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.Hosting;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>What WADO-RS needs, injected as one parameter.</summary>
public sealed class WadoServices(
    IInstanceRetriever retriever, IDicomWebAccessPolicy access, DicomWebAudit audit, IOptions<MircApiOptions> options, IGrainFactory grains)
{
    /// <summary>The grains (regional patient id of a study, for metadata).</summary>
    public IGrainFactory Grains => grains;

    /// <summary>The retrieval pipeline.</summary>
    public IInstanceRetriever Retriever => retriever;

    /// <summary>The authorization hook.</summary>
    public IDicomWebAccessPolicy Access => access;

    /// <summary>The audit recorder.</summary>
    public DicomWebAudit Audit => audit;

    /// <summary>API options.</summary>
    public MircApiOptions Options => options.Value;

    /// <summary>Retrieves instances of the scope.</summary>
    public Task<IResult> RetrieveAsync(HttpContext context, RetrievalScope scope, CancellationToken cancellationToken) =>
        WadoRetrieveEndpoint.RetrieveAsync(context, scope, this, cancellationToken);

    /// <summary>Retrieves the metadata of the scope.</summary>
    public Task<IResult> RetrieveMetadataAsync(HttpContext context, RetrievalScope scope, CancellationToken cancellationToken) =>
        WadoMetadataEndpoint.RetrieveAsync(context, scope, this, DicomWebUrls.For(context.Request, options), cancellationToken);
}
