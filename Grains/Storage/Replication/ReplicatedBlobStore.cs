using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// The archive's <see cref="IBlobStore"/> on two sites: every write, move and deletion lands on the first site, then on
/// the second — before the call returns (<see cref="ReplicationMode.Synchronous"/>) or through the
/// <see cref="ReplicaBacklog"/> right after (<see cref="ReplicationMode.Asynchronous"/>). The staging container is
/// scratch (uploads not acknowledged yet, the ingest journal of this process) and stays on the first site.
/// <para>
/// Writes need the first site: when it fails they fail, so nothing is acknowledged that only the second site holds.
/// A second site that does not answer is skipped for <see cref="ReplicationOptions.SiteRetryDelay"/> and its changes
/// queued: the archive keeps ingesting, and the catch-up (<see cref="ReplicaCatchUp"/>) copies the backlog when it answers.
/// </para>
/// <para>
/// Reads go to the first site and fail over to the second when the first does not answer (then skipped for the retry
/// delay) or lacks the blob; <see cref="ReadVerifiedAsync"/> also fails over on a hash mismatch with the manifest's digest.
/// </para>
/// </summary>
public sealed partial class ReplicatedBlobStore : IBlobStore
{
    private readonly string _stagingContainer;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private long _firstSkippedUntil;
    private long _secondSkippedUntil;
    private long _corruptReads;

    /// <summary>Creates the store.</summary>
    public ReplicatedBlobStore(IBlobStore first, IBlobStore second, string stagingContainer, ReplicationOptions options, ReplicaBacklog backlog, TimeProvider clock, ILogger<ReplicatedBlobStore> logger)
    {
        First = first;
        Second = second;
        _stagingContainer = stagingContainer;
        _options = options;
        Backlog = backlog;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The first (writing) site.</summary>
    public IBlobStore First { get; }

    /// <summary>The second site.</summary>
    public IBlobStore Second { get; }

    /// <summary>Changes the second site does not hold yet, and the measured lag.</summary>
    public ReplicaBacklog Backlog { get; }

    /// <summary>The acknowledgement rule.</summary>
    public ReplicationMode Mode => _options.Mode;

    /// <summary>Reads answered by the second site because the first one's copy did not match its digest.</summary>
    public long CorruptReads => Interlocked.Read(ref _corruptReads);

    /// <summary>Whether the second site is being skipped after a failure.</summary>
    public bool SecondSiteSkipped => IsSkipped(ref _secondSkippedUntil);

    /// <summary>Whether blobs of <paramref name="container"/> are kept on both sites.</summary>
    public bool IsReplicated(string container) => !string.Equals(container, _stagingContainer, StringComparison.Ordinal);

    /// <inheritdoc />
    public async Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var written = await First.WriteAsync(key, content, options, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default) =>
        ReadAsync(key, store => store.OpenReadAsync(key, range, cancellationToken), static _ => false, cancellationToken);

    /// <inheritdoc />
    public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        ReadAsync(key, store => store.TryGetPropertiesAsync(key, cancellationToken), static p => p is null, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var deleted = await First.DeleteAsync(key, ifMatch, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var site = IsReplicated(container) && IsSkipped(ref _firstSkippedUntil) ? Second : First;
        var items = site.ListAsync(container, prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            bool any;
            try
            {
                any = await items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (site == First && IsReplicated(container) && IsUnreachable(e, cancellationToken))
            {
                Skip(ref _firstSkippedUntil, "first", e);
                await items.DisposeAsync().ConfigureAwait(false);
                items = Second.ListAsync(container, prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
                any = await items.MoveNextAsync().ConfigureAwait(false);
            }

            while (any)
            {
                yield return items.Current;
                any = await items.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
    {
        var etag = await First.WriteIfMatchAsync(key, content, expected, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
        return etag;
    }

    /// <inheritdoc />
    public async Task<BlobETag> WriteIfMatchLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
    {
        var etag = await First.WriteIfMatchLazilyAsync(key, content, expected, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
        return etag;
    }

    /// <inheritdoc />
    public async Task<BlobETag> CreateInPlaceAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var etag = await First.CreateInPlaceAsync(key, content, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
        return etag;
    }

    /// <inheritdoc />
    public async Task<BlobETag> CreateInPlaceLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var etag = await First.CreateInPlaceLazilyAsync(key, content, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
        return etag;
    }

    /// <inheritdoc />
    public async Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await First.RewriteAsync(key, content, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RewriteLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await First.RewriteLazilyAsync(key, content, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(key, cancellationToken, content).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        ReadAsync(key, store => store.TryReadAllAsync(key, cancellationToken), static c => c is null, cancellationToken);

    /// <inheritdoc />
    public async Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default)
    {
        var moved = await First.MoveAsync(source, destination, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(destination, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(source, cancellationToken).ConfigureAwait(false);
        return moved;
    }

    /// <inheritdoc />
    public async Task<BlobProperties> MoveLazilyAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default)
    {
        var moved = await First.MoveLazilyAsync(source, destination, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(destination, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(source, cancellationToken).ConfigureAwait(false);
        return moved;
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) => First.FlushAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>The first site's: what is replicated reaches the second site by durable writes.</remarks>
    public bool FlushCoversLazyWrites => First.FlushCoversLazyWrites;

    /// <inheritdoc />
    public bool WritesAtFinalName => First.WritesAtFinalName;

    /// <inheritdoc />
    /// <remarks>
    /// A name is taken when either site holds it: one the first site lost but the second still holds (and serves) must
    /// not be written at, or the write would replicate over that copy. A second site that does not answer counts as
    /// holding it (the alternate is the safe side).
    /// </remarks>
    public async Task<BlobWriteResult> WriteUnlessTakenAsync(BlobKey key, BlobKey alternate, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var written = IsReplicated(key.Container) && await SecondMayHoldAsync(key, cancellationToken).ConfigureAwait(false)
            ? await First.WriteAsync(alternate, content, options, cancellationToken).ConfigureAwait(false)
            : await First.WriteUnlessTakenAsync(key, alternate, content, options, cancellationToken).ConfigureAwait(false);
        await ReplicateAsync(written.Key, cancellationToken).ConfigureAwait(false);
        return written;
    }

    private async Task<bool> SecondMayHoldAsync(BlobKey key, CancellationToken cancellationToken)
    {
        if (IsSkipped(ref _secondSkippedUntil))
        {
            return true;
        }

        try
        {
            return await Second.TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            Skip(ref _secondSkippedUntil, "second", e);
            return true;
        }
    }

    /// <summary>
    /// Reads a whole blob of <paramref name="destination"/>'s length whose <see cref="ContentDigest"/> must be <paramref name="digest"/>
    /// (the manifest's digest): from the first site, else — unreachable, missing, or another content — from the second.
    /// </summary>
    /// <exception cref="BlobNotFoundException">Neither site holds the blob.</exception>
    /// <exception cref="InvalidDataException">Neither site holds the expected content.</exception>
    public async Task ReadVerifiedAsync(BlobKey key, Memory<byte> destination, string digest, CancellationToken cancellationToken = default)
    {
        var sites = IsSkipped(ref _firstSkippedUntil) ? new[] { (Second, "second"), (First, "first") } : [(First, "first"), (Second, "second")];
        Exception? last = null;
        foreach (var (site, name) in sites)
        {
            try
            {
                await using (var stream = await site.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false))
                {
                    await stream.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
                    // One more byte would mean a longer blob than the manifest says: another content.
                    var longer = await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0;
                    if (!longer && ContentDigest.Matches(digest, destination.Span))
                    {
                        return;
                    }
                }

                Interlocked.Increment(ref _corruptReads);
                LogCorrupt(_logger, key, name);
                last = new InvalidDataException($"Blob '{key}' on the {name} site does not match its digest {digest}.");
            }
            catch (EndOfStreamException)
            {
                Interlocked.Increment(ref _corruptReads);
                LogCorrupt(_logger, key, name);
                last = new InvalidDataException($"Blob '{key}' on the {name} site is shorter than its manifest size.");
            }
            catch (BlobNotFoundException e)
            {
                last = e;
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                Skip(ref name == "first" ? ref _firstSkippedUntil : ref _secondSkippedUntil, name, e);
                last = e;
            }
        }

        throw last!;
    }

    /// <summary>Brings the second site to the first one's state of <paramref name="key"/> now, or queues it.</summary>
    private async Task ReplicateAsync(BlobKey key, CancellationToken cancellationToken, ReadOnlyMemory<byte>? content = null)
    {
        if (!IsReplicated(key.Container))
        {
            return;
        }

        if (_options.Mode == ReplicationMode.Asynchronous || IsSkipped(ref _secondSkippedUntil))
        {
            Backlog.Enqueue(key, ReplicaChangeKind.CopyFromFirst);
            return;
        }

        var started = _clock.GetTimestamp();
        try
        {
            if (content is { } bytes)
            {
                await WriteSecondAsync(key, bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CopyToSecondAsync(key, cancellationToken).ConfigureAwait(false);
            }

            Backlog.RecordLag(_clock.GetElapsedTime(started));
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            Skip(ref _secondSkippedUntil, "second", e);
            Backlog.Enqueue(key, ReplicaChangeKind.CopyFromFirst);
        }
    }

    /// <summary>Writes a mirror blob on the second site (no counterpart on the first: Azure-mode grain state), now or queued.</summary>
    public async Task MirrorAsync(BlobKey key, ReadOnlyMemory<byte>? content, CancellationToken cancellationToken = default)
    {
        var kind = content is null ? ReplicaChangeKind.Delete : ReplicaChangeKind.Write;
        if (_options.Mode == ReplicationMode.Asynchronous || IsSkipped(ref _secondSkippedUntil))
        {
            Backlog.Enqueue(key, kind, content ?? default);
            return;
        }

        try
        {
            await ApplyAsync(key, kind, content ?? default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            Skip(ref _secondSkippedUntil, "second", e);
            Backlog.Enqueue(key, kind, content ?? default);
        }
    }

    /// <summary>Applies one backlog change to the second site (the catch-up).</summary>
    /// <returns>False when the second site (or, for a copy, the first) did not answer: the change stays queued.</returns>
    internal async Task<bool> TryApplyAsync(BlobKey key, ReplicaChange change, CancellationToken cancellationToken)
    {
        try
        {
            await ApplyAsync(key, change.Kind, change.Content, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            LogCatchUpFailed(_logger, key, e.GetType().Name, e.Message);
            return false;
        }
    }

    /// <summary>Whether the second site may be written to now (not skipped after a failure).</summary>
    internal bool SecondSiteAvailable => !IsSkipped(ref _secondSkippedUntil);

    /// <summary>Marks the second site as failing (the catch-up waits the retry delay before its next attempt).</summary>
    internal void SkipSecond(Exception e) => Skip(ref _secondSkippedUntil, "second", e);

    private Task ApplyAsync(BlobKey key, ReplicaChangeKind kind, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => kind switch
    {
        ReplicaChangeKind.Write => WriteSecondAsync(key, content, cancellationToken),
        ReplicaChangeKind.Delete => Second.DeleteAsync(key, null, cancellationToken),
        _ => CopyToSecondAsync(key, cancellationToken),
    };

    private Task WriteSecondAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var stream = new MemoryStream(content.ToArray(), writable: false);
        return Second.WriteAsync(key, stream, null, cancellationToken);
    }

    private async Task CopyToSecondAsync(BlobKey key, CancellationToken cancellationToken)
    {
        Stream source;
        try
        {
            source = await First.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            // Moved away or deleted on the first site: the second follows.
            await Second.DeleteAsync(key, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using (source.ConfigureAwait(false))
        {
            await Second.WriteAsync(key, source, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the first site, else the second: when the first does not answer (skipped for the
    /// retry delay after), or answers "absent" (an exception or <paramref name="isAbsent"/>) while the other may hold it.
    /// </summary>
    private async Task<T> ReadAsync<T>(BlobKey key, Func<IBlobStore, Task<T>> read, Func<T, bool> isAbsent, CancellationToken cancellationToken)
    {
        if (!IsReplicated(key.Container))
        {
            return await read(First).ConfigureAwait(false);
        }

        var firstSkipped = IsSkipped(ref _firstSkippedUntil);
        var (preferred, other) = firstSkipped ? (Second, First) : (First, Second);
        try
        {
            var result = await read(preferred).ConfigureAwait(false);
            // "Absent" on the first site is the answer (the second never holds more than it);
            // on the second it may be lag: ask the first anyway.
            if (!firstSkipped || !isAbsent(result))
            {
                return result;
            }
        }
        catch (BlobNotFoundException)
        {
            // The other site may still hold it (lost or not yet copied there).
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            Skip(ref firstSkipped ? ref _secondSkippedUntil : ref _firstSkippedUntil, firstSkipped ? "second" : "first", e);
        }

        return await read(other).ConfigureAwait(false);
    }

    /// <summary>Anything but a definite answer of the storage (missing, version conflict, bad input) or our own cancellation.</summary>
    internal static bool IsUnreachable(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        BlobNotFoundException or BlobConcurrencyException or BlobHashMismatchException or ArgumentException => false,
        _ => true,
    };

    private bool IsSkipped(ref long until) => Volatile.Read(ref until) > _clock.GetUtcNow().UtcTicks;

    private void Skip(ref long until, string site, Exception e)
    {
        var next = (_clock.GetUtcNow() + _options.SiteRetryDelay).UtcTicks;
        if (Interlocked.Exchange(ref until, next) < _clock.GetUtcNow().UtcTicks)
        {
            LogSiteSkipped(_logger, site, _options.SiteRetryDelay, e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication: the {Site} site does not answer ({Error}: {Message}); skipped for {Delay}, the other site serves reads and changes are queued")]
    private static partial void LogSiteSkipped(ILogger logger, string site, TimeSpan delay, string error, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replication: blob {Key} on the {Site} site does not match the manifest's digest; read from the other site (the scrubber repairs it)")]
    private static partial void LogCorrupt(ILogger logger, BlobKey key, string site);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replication: catch-up of {Key} failed ({Error}: {Message}); it stays queued")]
    private static partial void LogCatchUpFailed(ILogger logger, BlobKey key, string error, string message);
}
