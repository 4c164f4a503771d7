using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// Orleans grain-state provider on <see cref="IBlobStore"/>: one blob per grain and state name in the
/// <c>{prefix}-grainstate</c> container (see <see cref="InstanceBlobLayout"/>), serialized with Orleans' serializer
/// (so <c>[GenerateSerializer]</c> types with version-tolerant ids), optimistic concurrency by the blob ETag: a write or
/// clear with a stale ETag raises <see cref="InconsistentStateException"/> and stores nothing.
/// </summary>
public sealed partial class BlobGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly IBlobStore _blobs;
    private readonly string _container;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;
    private readonly bool _publishLazily;

    /// <summary>Creates the provider.</summary>
    /// <param name="name">Provider name (for messages).</param>
    /// <param name="blobs">Where state blobs are kept.</param>
    /// <param name="layout">Gives the grain-state container.</param>
    /// <param name="serializer">Orleans serializer.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="publishLazily">
    /// Writes publish their new version lazily (<see cref="IBlobStore.WriteIfMatchLazilyAsync"/>): only for state whose
    /// writes a journal replays after a crash.
    /// </param>
    public BlobGrainStorage(string name, IBlobStore blobs, InstanceBlobLayout layout, Serializer serializer, ILogger<BlobGrainStorage> logger, bool publishLazily = false)
    {
        _name = name;
        _publishLazily = publishLazily;
        _blobs = blobs;
        _container = layout.GrainStateContainer;
        _serializer = serializer;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateBlobNaming.KeyFor(_container, stateName, grainId);
        var stored = await _blobs.TryReadAllAsync(key).ConfigureAwait(false);
        if (stored is null)
        {
            grainState.State = CreateEmpty<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>(stored.Content.Span);
        grainState.ETag = stored.ETag.Value;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateBlobNaming.KeyFor(_container, stateName, grainId);
        var payload = _serializer.SerializeToArray(grainState.State);
        try
        {
            var etag = _publishLazily
                ? await _blobs.WriteIfMatchLazilyAsync(key, payload, ToBlobETag(grainState.ETag)).ConfigureAwait(false)
                : await _blobs.WriteIfMatchAsync(key, payload, ToBlobETag(grainState.ETag)).ConfigureAwait(false);
            grainState.ETag = etag.Value;
            grainState.RecordExists = true;
        }
        catch (BlobConcurrencyException e)
        {
            throw Inconsistent("write", stateName, grainId, grainState.ETag, e);
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateBlobNaming.KeyFor(_container, stateName, grainId);
        try
        {
            if (grainState.ETag is null)
            {
                // Clearing a state this activation never saw stored: only valid if nothing is stored.
                var current = await _blobs.TryGetPropertiesAsync(key).ConfigureAwait(false);
                if (current is not null)
                {
                    throw new BlobConcurrencyException(key, null, current.ETag);
                }
            }
            else
            {
                await _blobs.DeleteAsync(key, ToBlobETag(grainState.ETag)).ConfigureAwait(false);
            }
        }
        catch (BlobConcurrencyException e)
        {
            throw Inconsistent("clear", stateName, grainId, grainState.ETag, e);
        }

        grainState.State = CreateEmpty<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// Deletes the record whatever its version (no ETag check): for <see cref="MigratingGrainStorage"/>, which removes a
    /// record once it has moved it, so a later clear of the moved record cannot bring the old one back.
    /// </summary>
    internal Task<bool> DeleteIfExistsAsync(string stateName, GrainId grainId) =>
        _blobs.DeleteAsync(GrainStateBlobNaming.KeyFor(_container, stateName, grainId));

    private InconsistentStateException Inconsistent(string operation, string stateName, GrainId grainId, string? expected, BlobConcurrencyException e)
    {
        var actual = e.Actual?.Value;
        LogConflict(_logger, _name, operation, stateName, grainId, expected ?? "<none>", actual ?? "<none>");
        return new InconsistentStateException(
            $"Grain storage '{_name}': cannot {operation} state '{stateName}' of grain {grainId}: expected ETag {expected ?? "<none: new record>"}, stored ETag {actual ?? "<none or unknown>"}. Another activation or writer changed it; re-read the state before deciding again.",
            actual ?? string.Empty,
            expected ?? string.Empty,
            e);
    }

    private static BlobETag? ToBlobETag(string? etag) => etag is null ? null : new BlobETag(etag);

    private static T CreateEmpty<T>()
    {
        var type = typeof(T);
        return type.IsValueType || type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<T>() : default!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: {Operation} of state {StateName} of {GrainId} lost an ETag race (expected {Expected}, stored {Actual})")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, GrainId grainId, string expected, string actual);
}
