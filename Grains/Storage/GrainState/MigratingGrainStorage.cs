using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// Grain storage of Azure mode: Orleans' blob provider (<c>current</c>: Microsoft.Orleans.Persistence.AzureStorage,
/// blob <c>{state}-{grainType}/{key}.json</c>), which also finds state that our former provider
/// (<see cref="BlobGrainStorage"/>, blob <c>{state}/{grainType}/{key}</c> in the same container) wrote before the switch.
/// <para>
/// A read that finds no current record looks for the former one once; if there is one, it is written as a new current
/// record (create-only: an activation that moved it first wins, and its record is read instead), then the former blob is
/// deleted. From then on the record lives, with its ETag, in the current provider only. A clear deletes the former blob
/// too, so a former record left behind by a failed delete can never come back after the current one is cleared.
/// </para>
/// <para>
/// A miss in the current provider — every new grain — would cost a second round trip to the former name: the former
/// names of a state are looked for once per silo (one listing) and, if there are none, never read again (nothing writes
/// them any more on this account: the second site's mirror is another account, promoted only by a restart); where some
/// remain, both names are read at once.
/// </para>
/// Grain keys reach the current provider percent-encoded (<see cref="GrainStateBlobNaming.ForOrleansBlobName"/>): it puts
/// the key into the blob name as is.
/// No rolling upgrade across this change: a silo of the previous version would still write the former blobs.
/// </summary>
public sealed partial class MigratingGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly IGrainStorage _current;
    private readonly BlobGrainStorage _former;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Task<bool>> _formerRecords = new(StringComparer.Ordinal);

    /// <summary>Creates the provider.</summary>
    /// <param name="name">Provider name (for messages).</param>
    /// <param name="current">Where state is kept from now on.</param>
    /// <param name="former">Where state was kept before; read once per record, then emptied.</param>
    /// <param name="serializer">Orleans serializer (the current provider's format), to recognise a write that landed.</param>
    /// <param name="logger">Logger.</param>
    public MigratingGrainStorage(string name, IGrainStorage current, BlobGrainStorage former, Serializer serializer, ILogger<MigratingGrainStorage> logger)
    {
        _name = name;
        _current = current;
        _former = former;
        _serializer = serializer;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var currentRead = _current.ReadStateAsync(stateName, GrainStateBlobNaming.ForOrleansBlobName(grainId), grainState);
        if (!await FormerRecordsRemainAsync(stateName).ConfigureAwait(false))
        {
            await currentRead.ConfigureAwait(false);
            return;
        }

        var former = new GrainState<T>();
        var formerRead = _former.ReadStateAsync(stateName, grainId, former);
        try
        {
            await currentRead.ConfigureAwait(false);
        }
        catch
        {
            await formerRead.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        if (grainState.RecordExists || grainState.ETag is not null)
        {
            await formerRead.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        await formerRead.ConfigureAwait(false);
        if (!former.RecordExists)
        {
            return;
        }

        var moved = new GrainState<T>(former.State!);
        try
        {
            await _current.WriteStateAsync(stateName, GrainStateBlobNaming.ForOrleansBlobName(grainId), moved).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            // Another activation moved it first (a cluster that briefly activated the grain twice): its record stands.
            await _current.ReadStateAsync(stateName, GrainStateBlobNaming.ForOrleansBlobName(grainId), grainState).ConfigureAwait(false);
            return;
        }

        grainState.State = moved.State;
        grainState.ETag = moved.ETag;
        grainState.RecordExists = true;
        LogMoved(_logger, _name, stateName, grainId);
        await DeleteFormerAsync(stateName, grainId).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var id = GrainStateBlobNaming.ForOrleansBlobName(grainId);
        try
        {
            await _current.WriteStateAsync(stateName, id, grainState).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            // The storage client retries a request whose response was lost (connection reset, storage front end
            // restarting): if the first attempt landed, the retry fails its own condition. The very state in place means
            // the write is ours; anything else is a real concurrent change.
            var stored = new GrainState<T>();
            await _current.ReadStateAsync(stateName, id, stored).ConfigureAwait(false);
            if (!stored.RecordExists || !_serializer.SerializeToArray(stored.State).AsSpan().SequenceEqual(_serializer.SerializeToArray(grainState.State)))
            {
                throw;
            }

            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Former blob first: were it left after the current record is gone, the next read would bring it back.
        await _former.DeleteIfExistsAsync(stateName, grainId).ConfigureAwait(false);
        await _current.ClearStateAsync(stateName, GrainStateBlobNaming.ForOrleansBlobName(grainId), grainState).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether former records of <paramref name="stateName"/> may remain: listed once per silo; a listing that fails is
    /// not remembered (this read looks at the former name too, the next one lists again).
    /// </summary>
    private async Task<bool> FormerRecordsRemainAsync(string stateName)
    {
        var listing = _formerRecords.GetOrAdd(stateName, state => _former.HoldsRecordsOfAsync(state));
        try
        {
            return await listing.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _formerRecords.TryRemove(new KeyValuePair<string, Task<bool>>(stateName, listing));
            LogListingFailed(_logger, e, _name, stateName);
            return true;
        }
    }

    private async Task DeleteFormerAsync(string stateName, GrainId grainId)
    {
        try
        {
            await _former.DeleteIfExistsAsync(stateName, grainId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The record is moved and is read from the current provider from now on; a clear deletes the leftover.
            LogFormerNotDeleted(_logger, e, _name, stateName, grainId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: the former records of state {StateName} could not be listed; the former name is read on each miss until they are")]
    private static partial void LogListingFailed(ILogger logger, Exception exception, string provider, string stateName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage {Provider}: state {StateName} of {GrainId} moved from the former blob provider")]
    private static partial void LogMoved(ILogger logger, string provider, string stateName, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: state {StateName} of {GrainId} is moved, but its former blob could not be deleted (a clear of the state deletes it)")]
    private static partial void LogFormerNotDeleted(ILogger logger, Exception exception, string provider, string stateName, GrainId grainId);
}
