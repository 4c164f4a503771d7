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
/// <remarks>
/// Records are kept in <see cref="GrainStateRecordFrame"/> form (named with <see cref="GrainStateBlobNaming.FramedSuffix"/>),
/// so a new one is created in place with one durability round; a replacement goes through the store's atomic
/// replace. In the <see cref="GrainStateRecordNames.Flat"/> layout a record of the former, unframed form is still read,
/// and moved to the framed form by its next write; the <see cref="GrainStateRecordNames.FannedOut"/> layout holds framed
/// records only, so a read is one lookup.
/// </remarks>
public sealed partial class BlobGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly IBlobStore _blobs;
    private readonly string _container;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;
    private readonly bool _publishLazily;
    private readonly GrainStateRecordNames _names;

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
    /// <param name="names">How records are named (the flat layout unless said).</param>
    public BlobGrainStorage(string name, IBlobStore blobs, InstanceBlobLayout layout, Serializer serializer, ILogger<BlobGrainStorage> logger, bool publishLazily = false, GrainStateRecordNames names = GrainStateRecordNames.Flat)
    {
        _names = names;
        _name = name;
        _publishLazily = publishLazily;
        _blobs = blobs;
        _container = layout.GrainStateContainer;
        _serializer = serializer;
        _logger = logger;
    }

    /// <summary>
    /// True when a first record written for a caller that flushes next (<see cref="CallerFlushedWrites"/>) costs no
    /// round of its own: the store's flush covers lazy writes (the embedded default's shared <c>syncfs</c> rounds).
    /// </summary>
    public bool FirstRecordsJoinCallerFlush => _blobs.FlushCoversLazyWrites;

    /// <summary>Whether any record of <paramref name="stateName"/> is stored here (one listing, ended at the first name).</summary>
    internal async Task<bool> HoldsRecordsOfAsync(string stateName, CancellationToken cancellationToken = default)
    {
        await foreach (var _ in _blobs.ListAsync(_container, GrainStateBlobNaming.StatePrefix(stateName), cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Both names at once: on a remote store the former one (all a migration source holds) costs no extra round trip.
        var framedRead = _blobs.TryReadAllAsync(FramedKey(stateName, grainId));
        var formerRead = FormerKey(stateName, grainId) is { } formerKey ? _blobs.TryReadAllAsync(formerKey) : NoRecord;
        var framed = await framedRead.ConfigureAwait(false);
        if (framed is not null && GrainStateRecordFrame.TryUnwrap(framed.Content, out var payload))
        {
            await ((Task)formerRead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            grainState.State = _serializer.Deserialize<T>(payload.Span);
            grainState.ETag = GrainStateRecordVersion.Framed(framed.ETag);
            grainState.RecordExists = true;
            return;
        }

        if (framed is not null)
        {
            // Its first write was cut by a crash, so never acknowledged: what stood before it is the state.
            LogTornRecord(_logger, _name, stateName, grainId, framed.Content.Length);
        }

        var former = await formerRead.ConfigureAwait(false);
        grainState.State = former is null ? CreateEmpty<T>() : _serializer.Deserialize<T>(former.Content.Span);
        grainState.ETag = framed is not null ? GrainStateRecordVersion.Torn(framed.ETag) : former is not null ? GrainStateRecordVersion.Former(former.ETag) : null;
        grainState.RecordExists = former is not null;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = FramedKey(stateName, grainId);
        var record = GrainStateRecordFrame.Wrap(_serializer.SerializeToArray(grainState.State));
        var seen = GrainStateRecordVersion.Parse(grainState.ETag);
        try
        {
            BlobETag written;
            switch (seen.Kind)
            {
                case GrainStateRecordKind.None:
                    written = CallerFlushedWrites.Active
                        ? await _blobs.CreateInPlaceLazilyAsync(key, record).ConfigureAwait(false)
                        : await _blobs.CreateInPlaceAsync(key, record).ConfigureAwait(false);
                    break;
                case GrainStateRecordKind.Framed:
                    written = _publishLazily || ReplayedWrites.Active
                        ? await _blobs.WriteIfMatchLazilyAsync(key, record, seen.ETag).ConfigureAwait(false)
                        : await _blobs.WriteIfMatchAsync(key, record, seen.ETag).ConfigureAwait(false);
                    break;
                case GrainStateRecordKind.Former:
                    // Moved to the framed name; the former record goes once the framed one is durable (reads prefer it).
                    var formerKey = FormerKey(stateName, grainId)!.Value;
                    if ((await _blobs.TryGetPropertiesAsync(formerKey).ConfigureAwait(false))?.ETag is var current && current != seen.ETag)
                    {
                        throw new BlobConcurrencyException(formerKey, seen.ETag, current);
                    }

                    written = await _blobs.CreateInPlaceAsync(key, record).ConfigureAwait(false);
                    await _blobs.DeleteAsync(formerKey).ConfigureAwait(false);
                    break;
                default:
                    written = await _blobs.WriteIfMatchAsync(key, record, seen.ETag).ConfigureAwait(false);
                    await DeleteFormerAsync(stateName, grainId).ConfigureAwait(false);
                    break;
            }

            grainState.ETag = GrainStateRecordVersion.Framed(written);
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
        var framedKey = FramedKey(stateName, grainId);
        var formerKey = FormerKey(stateName, grainId);
        var seen = GrainStateRecordVersion.Parse(grainState.ETag);
        try
        {
            switch (seen.Kind)
            {
                case GrainStateRecordKind.None:
                    // Clearing a state this activation never saw stored: only valid if nothing is stored.
                    foreach (var key in formerKey is { } former ? new[] { framedKey, former } : [framedKey])
                    {
                        if (await _blobs.TryGetPropertiesAsync(key).ConfigureAwait(false) is { } current)
                        {
                            throw new BlobConcurrencyException(key, null, current.ETag);
                        }
                    }

                    break;
                case GrainStateRecordKind.Former:
                    await _blobs.DeleteAsync(formerKey!.Value, seen.ETag).ConfigureAwait(false);
                    break;
                default:
                    await _blobs.DeleteAsync(framedKey, seen.ETag).ConfigureAwait(false);
                    await DeleteFormerAsync(stateName, grainId).ConfigureAwait(false);
                    break;
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
    internal async Task<bool> DeleteIfExistsAsync(string stateName, GrainId grainId)
    {
        var framed = await _blobs.DeleteAsync(FramedKey(stateName, grainId)).ConfigureAwait(false);
        return await DeleteFormerAsync(stateName, grainId).ConfigureAwait(false) || framed;
    }

    private static readonly Task<BlobContent?> NoRecord = Task.FromResult<BlobContent?>(null);

    /// <summary>The name of a grain's record (see <see cref="GrainStateRecordNames"/>).</summary>
    private BlobKey FramedKey(string stateName, GrainId grainId) => _names == GrainStateRecordNames.FannedOut
        ? GrainStateBlobNaming.FannedOutKeyFor(_container, stateName, grainId)
        : GrainStateBlobNaming.FramedKeyFor(_container, stateName, grainId);

    /// <summary>The name of its former, unframed record; null where there is none (the fanned-out layout).</summary>
    private BlobKey? FormerKey(string stateName, GrainId grainId) =>
        _names == GrainStateRecordNames.FannedOut ? null : GrainStateBlobNaming.KeyFor(_container, stateName, grainId);

    private async Task<bool> DeleteFormerAsync(string stateName, GrainId grainId) =>
        FormerKey(stateName, grainId) is { } formerKey && await _blobs.DeleteAsync(formerKey).ConfigureAwait(false);

    private InconsistentStateException Inconsistent(string operation, string stateName, GrainId grainId, string? expected, BlobConcurrencyException e)
    {
        // In the grain's terms: the version of whichever record the store found changed.
        var actual = e.Actual is not { } found ? null
            : e.Key.Name.EndsWith(GrainStateBlobNaming.FramedSuffix, StringComparison.Ordinal) ? GrainStateRecordVersion.Framed(found)
            : GrainStateRecordVersion.Former(found);
        LogConflict(_logger, _name, operation, stateName, grainId, expected ?? "<none>", actual ?? "<none>");
        return new InconsistentStateException(
            $"Grain storage '{_name}': cannot {operation} state '{stateName}' of grain {grainId}: expected ETag {expected ?? "<none: new record>"}, stored ETag {actual ?? "<none or unknown>"}. Another activation or writer changed it; re-read the state before deciding again.",
            actual ?? string.Empty,
            expected ?? string.Empty,
            e);
    }

    private static T CreateEmpty<T>()
    {
        var type = typeof(T);
        return type.IsValueType || type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<T>() : default!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: the record of state {StateName} of {GrainId} fails its check ({Length} bytes), left by a crash during its first write; read as never written")]
    private static partial void LogTornRecord(ILogger logger, string provider, string stateName, GrainId grainId, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: {Operation} of state {StateName} of {GrainId} lost an ETag race (expected {Expected}, stored {Actual})")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, GrainId grainId, string expected, string actual);
}
