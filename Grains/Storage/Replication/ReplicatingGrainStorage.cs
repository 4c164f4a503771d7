using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.GrainState;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Grain state of Azure mode on two sites. Orleans' blob provider writes the first account itself, so each write (and
/// clear) is mirrored to the second account by this wrapper, in <see cref="BlobGrainStorage"/>'s layout and format — the
/// one <see cref="MigratingGrainStorage"/> takes over on first read, so a second site promoted to first reads it as is.
/// A read the first account does not answer is served from the mirror (its version tag is the mirror's: a write made
/// with it is refused by the first account, and the grain re-reads).
/// </summary>
public sealed partial class ReplicatingGrainStorage : IGrainStorage
{
    private readonly IGrainStorage _first;
    private readonly BlobGrainStorage _mirror;
    private readonly ReplicatedBlobStore _sites;
    private readonly string _container;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="first">The first site's provider.</param>
    /// <param name="mirror">Reads the mirror on the second site.</param>
    /// <param name="sites">The two sites (writes of the mirror go through its backlog).</param>
    /// <param name="grainStateContainer">Container of the mirror.</param>
    /// <param name="serializer">Orleans serializer (the mirror's format).</param>
    /// <param name="logger">Logger.</param>
    public ReplicatingGrainStorage(IGrainStorage first, BlobGrainStorage mirror, ReplicatedBlobStore sites, string grainStateContainer, Serializer serializer, ILogger<ReplicatingGrainStorage> logger)
    {
        _first = first;
        _mirror = mirror;
        _sites = sites;
        _container = grainStateContainer;
        _serializer = serializer;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await _first.ReadStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not InconsistentStateException && ReplicatedBlobStore.IsUnreachable(e, CancellationToken.None))
        {
            LogReadFromMirror(_logger, stateName, grainId, e.GetType().Name);
            await _mirror.ReadStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _first.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        await _sites.MirrorAsync(GrainStateBlobNaming.KeyFor(_container, stateName, grainId), _serializer.SerializeToArray(grainState.State)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _first.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        await _sites.MirrorAsync(GrainStateBlobNaming.KeyFor(_container, stateName, grainId), null).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication: state {StateName} of {GrainId} read from the second site's mirror (first site: {Error})")]
    private static partial void LogReadFromMirror(ILogger logger, string stateName, GrainId grainId, string error);
}
