using Microsoft.Extensions.Options;
using Mirc.Api.Hosting;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;

namespace Mirc.Api.Access;

/// <summary>
/// Anonymous mode, never a default: everything is visible, stores are credited to the caller's establishment claim or
/// <see cref="MircApiOptions.AnonymousEstablishmentId"/>. Only an explicit registration in code selects it (tests that
/// drive out-of-process DICOMweb clients); the silo logs a warning when it is in use.
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
    public ValueTask<bool> CanPushStudyAsync(ApiCaller caller, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);

    /// <inheritdoc />
    public IngestCaller ToIngestCaller(ApiCaller caller) => new()
    {
        EstablishmentId = caller.EstablishmentId ?? options.Value.AnonymousEstablishmentId,
        ProfessionalId = caller.ProfessionalId,
        RemoteAddress = caller.RemoteAddress,
    };
}
