using System.Collections.Concurrent;
using Mirc.Api.Access;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;

namespace Mirc.Api.Tests.Shares;

/// <summary>Everything is visible except the studies a test denies (stands in for the access decision).</summary>
internal sealed class SelectiveAccessPolicy : IDicomWebAccessPolicy
{
    private readonly ConcurrentDictionary<string, bool> _denied = new(StringComparer.Ordinal);

    public void Deny(string studyInstanceUid) => _denied[studyInstanceUid] = true;

    public ValueTask<IndexAuthorization> QueryAuthorizationAsync(ApiCaller caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IndexAuthorization.All);

    public ValueTask<bool> CanRetrieveStudyAsync(ApiCaller caller, string studyInstanceUid, CancellationToken cancellationToken) =>
        ValueTask.FromResult(!_denied.ContainsKey(studyInstanceUid));

    public ValueTask<bool> CanPushStudyAsync(ApiCaller caller, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(!_denied.ContainsKey(studyInstanceUid));

    public IngestCaller ToIngestCaller(ApiCaller caller) => new() { EstablishmentId = "local", RemoteAddress = caller.RemoteAddress };
}
