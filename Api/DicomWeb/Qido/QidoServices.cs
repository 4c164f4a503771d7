using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.Hosting;
using Mirc.Grains.Indexing;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>What QIDO-RS needs, injected as one parameter.</summary>
public sealed class QidoServices(
    QidoQueryParser parser,
    QidoResponseJsonWriter writer,
    IQueryIndex index,
    IDicomWebAccessPolicy access,
    DicomWebAudit audit,
    IOptions<MircApiOptions> options)
{
    /// <summary>Runs the search.</summary>
    public Task<IResult> SearchAsync(HttpContext context, QidoLevel level, string? study, string? series, CancellationToken cancellationToken) =>
        QidoEndpoint.SearchAsync(context, level, study, series, parser, writer, index, access, audit, options, cancellationToken);
}
