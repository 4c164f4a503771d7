using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;

namespace Mirc.Api.Access;

/// <summary>
/// How the HTTP surface asks the one authorization decision: the security area registers an implementation backed
/// by its access rules; without one, <see cref="ArchiveWideAccessPolicy"/> applies (embedded, auth-less default).
/// </summary>
public interface IDicomWebAccessPolicy
{
    /// <summary>The visibility filter QIDO-RS passes to the query index for <paramref name="caller"/>.</summary>
    ValueTask<IndexAuthorization> QueryAuthorizationAsync(ApiCaller caller, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="caller"/> may retrieve (WADO) the study; false answers 404 so existence does not leak.</summary>
    ValueTask<bool> CanRetrieveStudyAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken);

    /// <summary>The identity the ingest pipeline records (and authorizes) for a STOW-RS store.</summary>
    IngestCaller ToIngestCaller(ApiCaller caller);
}
