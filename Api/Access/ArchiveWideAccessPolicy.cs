using Microsoft.Extensions.Options;
using Mirc.Api.Hosting;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;

namespace Mirc.Api.Access;

/// <summary>
/// Default policy when no security service is registered: everything is visible, stores are credited to the caller's
/// establishment claim or <see cref="MircApiOptions.AnonymousEstablishmentId"/>.
/// </summary>
public sealed class ArchiveWideAccessPolicy(IOptions<MircApiOptions> options) : IDicomWebAccessPolicy
{
    /// <inheritdoc />
    public ValueTask<IndexAuthorization> QueryAuthorizationAsync(ApiCaller caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IndexAuthorization.All);

    /// <inheritdoc />
    public ValueTask<bool> CanRetrieveStudyAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);

    /// <inheritdoc />
    public IngestCaller ToIngestCaller(ApiCaller caller) => new()
    {
        EstablishmentId = caller.EstablishmentId ?? options.Value.AnonymousEstablishmentId,
        ProfessionalId = caller.ProfessionalId,
        RemoteAddress = caller.RemoteAddress,
    };
}
