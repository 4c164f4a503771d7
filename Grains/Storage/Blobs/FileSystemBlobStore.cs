using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Blob store on a local folder (embedded mode): container = first-level folder, name segments = sub-folders.
/// <para>
/// Writes go to a dot-prefixed temporary file in the target folder, then are renamed over the final name: a blob is
/// never visible half-written. It is durable when the call returns (unless <see cref="BlobWriteOptions.Durable"/> is
/// off), by the <see cref="FileSystemDurability"/> chosen: shared <c>syncfs</c> rounds on Linux, else fsync of the file
/// and its folder. There is no global lock; a striped per-key lock only serializes the final rename of writers of the same key.
/// Streamed writes (instances) bypass the page cache with direct I/O where the file system allows it (<see cref="DirectWrites"/>).
/// </para>
/// <para>
/// ETag = last-write time (100 ns ticks) and length. Under the key lock each new version gets a last-write time
/// strictly after the previous one, so versions of a key never share an ETag. Single process per root.
/// </para>
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore, IDisposable
{
    private const int CopyBufferSize = 128 * 1024;

    // Below this a streamed write goes through the page cache even where direct I/O is on (see CopyHashingAsync).
    private const int SmallContentLimit = 32 * 1024;
    private const int LockStripes = 1024;
    // Up to this a file is small: not reserved before its write (fallocate), read inline.
    private const long SmallFileLength = 64 * 1024;

    private readonly SemaphoreSlim[] _keyLocks;
    private readonly IFileCommitPolicy _commit;

    // Folders this store has created or found (it never deletes one): each write asked the file system again, 4 – 5
    // mkdir or stat calls per ingested instance. Bounded; forgetting only costs one more call.
    private readonly ConcurrentDictionary<string, byte> _knownDirectories = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the store rooted at <paramref name="rootPath"/> (created if missing). With <paramref name="directWrites"/>,
    /// streamed writes bypass the page cache where the file system allows it (see <see cref="DirectWrites"/>).
    /// </summary>
    public FileSystemBlobStore(string rootPath, FileSystemDurability durability = FileSystemDurability.Auto, bool directWrites = true)
    {
        RootPath = Path.GetFullPath(rootPath);
        Directory.CreateDirectory(RootPath);
        DirectWrites = directWrites && DirectIo.IsAvailableIn(RootPath);
        Durability = durability switch
        {
            FileSystemDurability.Auto => SharedSyncCommitPolicy.IsSupported ? FileSystemDurability.SharedSync : FileSystemDurability.PerFile,
            FileSystemDurability.SharedSync when !SharedSyncCommitPolicy.IsSupported => throw new PlatformNotSupportedException("syncfs(2) is Linux only: use PerFile durability."),
            _ => durability,
        };
        _commit = Durability == FileSystemDurability.SharedSync ? new SharedSyncCommitPolicy(RootPath) : new PerFileCommitPolicy(RootPath);
        _keyLocks = new SemaphoreSlim[LockStripes];
        for (var i = 0; i < LockStripes; i++)
        {
            _keyLocks[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Absolute root folder.</summary>
    public string RootPath { get; }

    /// <summary>The durability strategy in effect (never <see cref="FileSystemDurability.Auto"/>).</summary>
    public FileSystemDurability Durability { get; }

    /// <summary>
    /// True when streamed writes (<see cref="WriteAsync"/>) go straight to the device (Linux <c>O_DIRECT</c>) instead of
    /// through the page cache: asked for and supported by the root's file system. Small state writes stay buffered.
    /// </summary>
    public bool DirectWrites { get; }

    /// <inheritdoc />
    public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(key, null, content, options, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// An in-place write (a fresh upload's) makes the check part of its create, which fails on a taken name
    /// (<see cref="FileMode.CreateNew"/>, atomic): no lookup of its own, and nothing read from the content before the
    /// name is known to be free. Any other write looks first.
    /// </remarks>
    public Task<BlobWriteResult> WriteUnlessTakenAsync(BlobKey key, BlobKey alternate, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobKeyRules.Validate(alternate);
        var createOnly = (options ?? new BlobWriteOptions()) with { Overwrite = false };
        return createOnly.InPlace ? WriteCoreAsync(key, (alternate, options), content, createOnly, cancellationToken)
            : Stat(key, GetPath(key)) is null ? WriteCoreAsync(key, null, content, createOnly, cancellationToken)
            : WriteCoreAsync(alternate, null, content, options, cancellationToken);
    }

    /// <summary><see cref="WriteAsync"/>; an in-place write that finds <paramref name="key"/> taken writes at <paramref name="unlessTaken"/>'s key instead.</summary>
    private async Task<BlobWriteResult> WriteCoreAsync(BlobKey key, (BlobKey Key, BlobWriteOptions? Options)? unlessTaken, Stream content, BlobWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = GetPath(key);
        var directory = Path.GetDirectoryName(path)!;
        await EnsureDirectoryAsync(directory).ConfigureAwait(false);
        var inPlace = options?.InPlace ?? false;
        var tempPath = inPlace ? path : TempPathFor(directory);
        var preallocation = content.CanSeek ? Math.Max(0, content.Length - content.Position) : 0;
        var committed = false;
        SafeFileHandle handle;
        try
        {
            // An in-place write refused for an existing key leaves that blob alone: nothing below runs for it.
            handle = await OpenFileAsync(tempPath, directory, FileMode.CreateNew, FileShare.None, preallocation).ConfigureAwait(false);
        }
        catch (IOException) when (unlessTaken is { } other)
        {
            // Taken — or taken a moment ago: another store's refused bytes may be gone already, so no lookup decides. The
            // alternate is always safe, and nothing of the content is read yet: all of it goes there.
            return await WriteCoreAsync(other.Key, null, content, other.Options, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            string digest;
            long length;
            // A synchronous handle: buffered writes land in the page cache and direct ones wait ~0.2 ms per chunk for the
            // device (the durable flush comes later, off the pool), so they are issued inline, not queued to another thread.
            bool direct;
            (length, digest, direct) = await CopyHashingAsync(content, handle, DirectWrites, options?.ExpectedDigest, cancellationToken).ConfigureAwait(false);
            if (!direct)
            {
                _commit.StartWriteback(handle);
            }

            BlobHashMismatchException.ThrowIfUnexpected(key, options, digest);

            // A preallocation may exceed the content: cut to the real length.
            if (preallocation > length)
            {
                RandomAccess.SetLength(handle, length);
            }

            var durable = options?.Durable ?? true;
            if (durable)
            {
                await _commit.PersistDataAsync(handle).ConfigureAwait(false);
            }

            var etag = inPlace
                ? await StampInPlaceAsync(handle, directory, durable, length).ConfigureAwait(false)
                : await CommitAsync(key, handle, tempPath, path, options?.Overwrite ?? true, durable, length, cancellationToken).ConfigureAwait(false);
            committed = true;
            return new BlobWriteResult(key, length, digest, etag);
        }
        finally
        {
            // In place, the name may have been taken over meanwhile (another store's bytes promoted over an upload still
            // arriving): only a file that is still ours goes.
            if (!committed && (!inPlace || StillHolds(key, path, handle)))
            {
                TryDeleteFile(tempPath);
            }

            handle.Dispose();
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/> still holds the file <paramref name="handle"/> has open: the same version (length and
    /// time; a rename over it stamps a newer time than the file it replaces had).
    /// </summary>
    private bool StillHolds(BlobKey key, string path, SafeFileHandle handle) =>
        Stat(key, path)?.ETag == MakeETag(File.GetLastWriteTimeUtc(handle).Ticks, RandomAccess.GetLength(handle));

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = GetPath(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key, e);
        }

        if (range is not { } r)
        {
            return Task.FromResult<Stream>(stream);
        }

        try
        {
            var total = stream.Length;
            ValidateRange(r, total);
            stream.Position = r.Offset;
            var available = total - r.Offset;
            return Task.FromResult<Stream>(new LengthLimitedReadStream(stream, r.Length is { } l ? Math.Min(l, available) : available));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Stat(key, GetPath(key)));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        var gate = LockFor(path);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Stat(key, path);
            if (current is null)
            {
                return false;
            }

            if (ifMatch is { } expected && expected != current.ETag)
            {
                throw new BlobConcurrencyException(key, expected, current.ETag);
            }

            File.Delete(path);
        }
        finally
        {
            gate.Release();
        }

        await _commit.PersistEntriesAsync(Path.GetDirectoryName(path)!).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKeyRules.ValidateContainer(container);
        var containerPath = Path.Combine(RootPath, container);
        prefix ??= string.Empty;

        // Start at the deepest folder the prefix names, so listing one study does not walk the whole shard.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? containerPath : Path.Combine(containerPath, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var baseLength = containerPath.Length + 1;
        var entries = new FileSystemEnumerable<(string Name, long Length, DateTimeOffset Modified)>(
            start,
            (ref FileSystemEntry e) => (e.ToFullPath()[baseLength..].Replace(Path.DirectorySeparatorChar, '/'), e.Length, e.LastWriteTimeUtc),
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && e.FileName[0] != '.',
            ShouldRecursePredicate = (ref FileSystemEntry e) => e.FileName[0] != '.',
        };

        var count = 0;
        foreach (var (name, length, modified) in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new BlobProperties(new BlobKey(container, name), length, MakeETag(modified.UtcTicks, length), modified);
            }

            // The enumeration is synchronous I/O: give the thread back now and then on big listings.
            if (++count % 1024 == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <inheritdoc />
    public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) =>
        WriteIfMatchCoreAsync(key, content, expected, publishDurably: true, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// With shared-sync durability the content is flushed before the rename and the rename is left to the next round:
    /// one flush round on the caller's path instead of two. Per-file durability publishes durably at once.
    /// </remarks>
    public Task<BlobETag> WriteIfMatchLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) =>
        WriteIfMatchCoreAsync(key, content, expected, publishDurably: !_commit.DataFlushCoversEntries, cancellationToken);

    private async Task<BlobETag> WriteIfMatchCoreAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, bool publishDurably, CancellationToken cancellationToken)
    {
        var path = GetPath(key);
        var directory = Path.GetDirectoryName(path)!;
        await EnsureDirectoryAsync(directory).ConfigureAwait(false);
        // Fail fast on a stale version, before writing anything; checked again under the key lock before the rename.
        if (Stat(key, path)?.ETag is var seen && seen != expected)
        {
            throw new BlobConcurrencyException(key, expected, seen);
        }

        var tempPath = TempPathFor(directory);
        var committed = false;
        BlobETag etag;
        try
        {
            using var handle = await OpenFileAsync(tempPath, directory, FileMode.CreateNew, FileShare.None, content.Length).ConfigureAwait(false);
            RandomAccess.Write(handle, content.Span, 0);
            await _commit.PersistDataAsync(handle).ConfigureAwait(false);
            var gate = LockFor(path);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var current = Stat(key, path);
                if (current?.ETag != expected)
                {
                    throw new BlobConcurrencyException(key, expected, current?.ETag);
                }

                etag = CommitLocked(handle, tempPath, path, current, content.Length);
            }
            finally
            {
                gate.Release();
            }

            committed = true;
        }
        finally
        {
            if (!committed)
            {
                TryDeleteFile(tempPath);
            }
        }

        if (publishDurably)
        {
            await _commit.PersistEntriesAsync(directory).ConfigureAwait(false);
        }

        return etag;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>O_CREAT|O_EXCL</c> at the key is the existence check; then the same steps as an in-place streamed write
    /// (<see cref="BlobWriteOptions.InPlace"/>): content flushed, version stamped, folder entry made durable (the same
    /// <c>syncfs</c> round with shared-sync durability).
    /// </remarks>
    public Task<BlobETag> CreateInPlaceAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        CreateInPlaceCoreAsync(key, content, durable: true, cancellationToken);

    /// <inheritdoc />
    /// <remarks>With shared-sync durability only the write is done here; per-file durability makes it durable at once.</remarks>
    public Task<BlobETag> CreateInPlaceLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        CreateInPlaceCoreAsync(key, content, durable: !_commit.DataFlushCoversEntries, cancellationToken);

    private async Task<BlobETag> CreateInPlaceCoreAsync(BlobKey key, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = GetPath(key);
        var directory = Path.GetDirectoryName(path)!;
        await EnsureDirectoryAsync(directory).ConfigureAwait(false);
        SafeFileHandle handle;
        try
        {
            handle = await OpenFileAsync(path, directory, FileMode.CreateNew, FileShare.Read | FileShare.Delete, content.Length).ConfigureAwait(false);
        }
        catch (IOException e) when (Stat(key, path) is { } existing)
        {
            throw new BlobConcurrencyException(key, null, existing.ETag, e);
        }

        var committed = false;
        try
        {
            using (handle)
            {
                RandomAccess.Write(handle, content.Span, 0);
                if (durable)
                {
                    await _commit.PersistDataAsync(handle).ConfigureAwait(false);
                }

                var etag = await StampInPlaceAsync(handle, directory, durable, content.Length).ConfigureAwait(false);
                committed = true;
                return etag;
            }
        }
        finally
        {
            if (!committed)
            {
                TryDeleteFile(path);
            }
        }
    }

    /// <inheritdoc />
    public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        RewriteCoreAsync(key, content, durable: true, cancellationToken);

    /// <inheritdoc />
    /// <remarks>No flush of its own: with shared-sync durability the next round persists it, with per-file durability the kernel's writeback.</remarks>
    public Task RewriteLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        RewriteCoreAsync(key, content, durable: false, cancellationToken);

    private async Task RewriteCoreAsync(BlobKey key, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken)
    {
        var path = GetPath(key);
        var directory = Path.GetDirectoryName(path)!;
        await EnsureDirectoryAsync(directory).ConfigureAwait(false);
        var gate = LockFor(path);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool created;
        try
        {
            var previous = Stat(key, path);
            using var handle = await OpenFileAsync(path, directory, FileMode.OpenOrCreate, FileShare.Read | FileShare.Delete).ConfigureAwait(false);
            RandomAccess.Write(handle, content.Span, 0);
            RandomAccess.SetLength(handle, content.Length);
            File.SetLastWriteTimeUtc(handle, NextStamp(previous));
            if (durable)
            {
                await _commit.PersistDataAsync(handle).ConfigureAwait(false);
            }

            created = previous is null;
        }
        finally
        {
            gate.Release();
        }

        if (durable && created && !_commit.DataFlushCoversEntries)
        {
            await _commit.PersistEntriesAsync(directory).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        // A missing record is common (every new grain reads its state first): a stat, not an exception, answers it.
        if (!File.Exists(path))
        {
            return null;
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (handle)
        {
            // Content and version from the same handle: renames replace the file, so the pair is consistent.
            var modified = File.GetLastWriteTimeUtc(handle);
            var length = RandomAccess.GetLength(handle);
            var buffer = new byte[length];
            var read = 0;
            while (read < length)
            {
                // A small record (grain state, segment) is read inline: from the page cache that takes microseconds, less
                // than handing the read to the thread pool, which is what an "asynchronous" file read is on Linux.
                var n = length <= SmallFileLength
                    ? RandomAccess.Read(handle, buffer.AsSpan(read), read)
                    : await RandomAccess.ReadAsync(handle, buffer.AsMemory(read), read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new BlobContent(buffer.AsMemory(0, read), MakeETag(modified.Ticks, length));
        }
    }

    /// <inheritdoc />
    public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        MoveCoreAsync(source, destination, durable: true, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// With shared-sync durability only the rename is done here: the next round (requested by any later durable
    /// operation of this store) persists it with the data. Per-file durability makes the move durable at once.
    /// </remarks>
    public Task<BlobProperties> MoveLazilyAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        MoveCoreAsync(source, destination, durable: !_commit.DataFlushCoversEntries, cancellationToken);

    private const int MaxKnownDirectories = 65_536;

    /// <inheritdoc />
    public async Task PrepareFoldersAsync(string container, IReadOnlyList<string> folders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folders);
        foreach (var folder in folders)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await EnsureDirectoryAsync(GetPath(new BlobKey(container, folder))).ConfigureAwait(false);
        }
    }

    /// <summary><see cref="IFileCommitPolicy.EnsureDirectoryAsync"/> once per folder (and again after the memory of them is cleared).</summary>
    private Task EnsureDirectoryAsync(string directory) =>
        _knownDirectories.ContainsKey(directory) ? Task.CompletedTask : EnsureNewDirectoryAsync(directory);

    private async Task EnsureNewDirectoryAsync(string directory)
    {
        await _commit.EnsureDirectoryAsync(directory).ConfigureAwait(false);
        if (_knownDirectories.Count >= MaxKnownDirectories)
        {
            _knownDirectories.Clear();
        }

        _knownDirectories.TryAdd(directory, 0);
    }

    /// <summary>
    /// Opens a file for writing in <paramref name="directory"/>, which this store believes exists; one removed behind its
    /// back (e.g. a second site's volume remounted empty) is created again and the open retried once.
    /// </summary>
    private async Task<SafeFileHandle> OpenFileAsync(string path, string directory, FileMode mode, FileShare share, long preallocation = 0)
    {
        // A small file is allocated by its one write anyway; reserving it first only costs an fallocate (~1 % of the
        // silo's samples when one-instance studies arrive, whose grain states and segments are a few hundred bytes).
        if (preallocation <= SmallFileLength)
        {
            preallocation = 0;
        }

        try
        {
            return File.OpenHandle(path, mode, FileAccess.Write, share, FileOptions.None, preallocation);
        }
        catch (DirectoryNotFoundException)
        {
            ForgetDirectory(directory);
            await EnsureDirectoryAsync(directory).ConfigureAwait(false);
            return File.OpenHandle(path, mode, FileAccess.Write, share, FileOptions.None, preallocation);
        }
    }

    /// <summary>Forgets a folder found missing, so that the next write creates it again.</summary>
    private void ForgetDirectory(string directory) => _knownDirectories.TryRemove(directory, out _);

    /// <summary>
    /// True when this store's flush rounds also make writes to <paramref name="directory"/> durable: shared-sync
    /// durability (a <c>syncfs</c> of the root's file system) and <paramref name="directory"/> on that same file system.
    /// </summary>
    public bool FlushRoundsCover(string directory) =>
        Durability == FileSystemDurability.SharedSync
        && SharedSyncCommitPolicy.DeviceOf(RootPath) is { } root
        && SharedSyncCommitPolicy.DeviceOf(directory) == root;

    /// <inheritdoc />
    /// <remarks>Shared-sync durability only: per-file durability leaves non-durable writes to the kernel's writeback.</remarks>
    public bool FlushCoversLazyWrites => _commit.DataFlushCoversEntries;

    /// <inheritdoc />
    /// <remarks>Shared-sync durability only: under per-file durability the promotion's durable rename persists a staged upload.</remarks>
    public bool WritesAtFinalName => _commit.DataFlushCoversEntries;

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        _commit.DataFlushCoversEntries ? _commit.PersistEntriesAsync(RootPath).WaitAsync(cancellationToken) : Task.CompletedTask;

    private async Task<BlobProperties> MoveCoreAsync(BlobKey source, BlobKey destination, bool durable, CancellationToken cancellationToken)
    {
        var sourcePath = GetPath(source);
        var destinationPath = GetPath(destination);
        var directory = Path.GetDirectoryName(destinationPath)!;
        await EnsureDirectoryAsync(directory).ConfigureAwait(false);
        if (durable)
        {
            // The source may be scratch (a staged upload): its data must be durable before its new name is.
            try
            {
                await _commit.PersistDataAsync(sourcePath).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new BlobNotFoundException(source, e);
            }
        }

        // Two stripes, always taken in index order so two opposite moves cannot deadlock.
        var first = LockIndex(sourcePath);
        var second = LockIndex(destinationPath);
        if (first > second)
        {
            (first, second) = (second, first);
        }

        BlobProperties moved;
        await _keyLocks[first].WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (second != first)
            {
                await _keyLocks[second].WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var moving = Stat(source, sourcePath) ?? throw new BlobNotFoundException(source);
                var previous = Stat(destination, destinationPath);
                // Over a stored blob the version must move past the replaced one; at a new key the upload keeps the
                // version it was written with (a rename keeps the file's times): a stamp and two stats fewer per promotion.
                if (previous is not null)
                {
                    File.SetLastWriteTimeUtc(sourcePath, NextStamp(previous));
                }

                try
                {
                    File.Move(sourcePath, destinationPath, overwrite: true);
                }
                catch (IOException) when (!Directory.Exists(directory))
                {
                    // The destination folder was removed behind the store's back: created again, the move retried once.
                    ForgetDirectory(directory);
                    await EnsureDirectoryAsync(directory).ConfigureAwait(false);
                    File.Move(sourcePath, destinationPath, overwrite: true);
                }

                moved = (previous is null ? null : Stat(destination, destinationPath)) ?? moving with { Key = destination };
            }
            finally
            {
                if (second != first)
                {
                    _keyLocks[second].Release();
                }
            }
        }
        finally
        {
            _keyLocks[first].Release();
        }

        // Only the destination entry must be durable: after a crash a resurrected source is an orphan staging
        // file, which the ingest journal reconciles, never a lost instance.
        if (durable)
        {
            await _commit.PersistEntriesAsync(directory).ConfigureAwait(false);
        }

        return moved;
    }

    private async Task<BlobETag> CommitAsync(BlobKey key, SafeFileHandle handle, string tempPath, string path, bool overwrite, bool durable, long length, CancellationToken cancellationToken)
    {
        BlobETag etag;
        var gate = LockFor(path);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Stat(key, path);
            if (current is not null && !overwrite)
            {
                throw new BlobConcurrencyException(key, null, current.ETag);
            }

            etag = CommitLocked(handle, tempPath, path, current, length);
        }
        finally
        {
            gate.Release();
        }

        if (durable)
        {
            await _commit.PersistEntriesAsync(Path.GetDirectoryName(path)!).ConfigureAwait(false);
        }

        return etag;
    }

    /// <summary>The version of a blob written at its own (new) key: nothing to publish, the folder entry made durable if asked.</summary>
    private async Task<BlobETag> StampInPlaceAsync(SafeFileHandle handle, string directory, bool durable, long length)
    {
        var stamp = NextStamp(null);
        File.SetLastWriteTimeUtc(handle, stamp);
        if (durable && !_commit.DataFlushCoversEntries)
        {
            await _commit.PersistEntriesAsync(directory).ConfigureAwait(false);
        }

        return MakeETag(stamp.Ticks, length);
    }

    // Caller holds the key lock and has made the data durable when it must be: stamps a fresh version, publishes by
    // rename. The caller then makes the rename durable (PersistEntriesAsync) after releasing the lock.
    private static BlobETag CommitLocked(SafeFileHandle handle, string tempPath, string path, BlobProperties? previous, long length)
    {
        var stamp = NextStamp(previous);
        File.SetLastWriteTimeUtc(handle, stamp);
        // Closed before it is published: where .NET locks the files it opens (flock; the silo turns that off, test hosts
        // do not), a reader of the new version would meet the writer's exclusive lock and fail ("used by another process").
        handle.Dispose();
        File.Move(tempPath, path, overwrite: true);
        return MakeETag(stamp.Ticks, length);
    }

    private static DateTime NextStamp(BlobProperties? previous)
    {
        var now = DateTime.UtcNow;
        return previous is not null && previous.LastModified.UtcTicks >= now.Ticks
            ? new DateTime(previous.LastModified.UtcTicks + 1, DateTimeKind.Utc)
            : now;
    }

    /// <summary>
    /// Copies <paramref name="content"/> into <paramref name="handle"/> and hashes it; with <paramref name="mayWriteDirect"/>,
    /// through direct I/O unless the whole content is smaller than <see cref="SmallContentLimit"/>. Returns whether
    /// direct I/O wrote (part of) it.
    /// </summary>
    private static async Task<(long Length, string Digest, bool Direct)> CopyHashingAsync(Stream content, SafeFileHandle handle, bool mayWriteDirect, string? expectedDigest, CancellationToken cancellationToken)
    {
        using var hasher = ContentDigest.CreateHasher(expectedDigest);
        var direct = mayWriteDirect;
        var pooledForDirect = direct;
        var usedDirect = false;
        var currentArray = direct ? DirectIo.Buffers.Rent() : ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var nextArray = direct ? DirectIo.Buffers.Rent() : ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var current = direct ? DirectIo.Buffers.Window(currentArray) : currentArray.AsMemory(0, CopyBufferSize);
            var next = direct ? DirectIo.Buffers.Window(nextArray) : nextArray.AsMemory(0, CopyBufferSize);
            var size = current.Length;
            long offset = 0;
            // Whole buffers, not whatever each read returns (network streams hand out a few KB at a time): one write
            // syscall and one hash update per buffer instead of dozens. Only the last read can come back short.
            var read = await content.ReadAtLeastAsync(current, size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            // A small content, whole in hand, goes through the page cache: one write that does not wait for the device
            // (the flush round writes it out with everything else) instead of a direct write that waits and a buffered
            // one for its last partial block.
            direct = direct && read >= SmallContentLimit && DirectIo.TryEnable(handle);
            usedDirect = direct;
            while (read > 0)
            {
                // Double buffering: the next network/stream read is under way while this chunk is written and hashed.
                var nextRead = content.ReadAtLeastAsync(next, size, throwOnEndOfStream: false, cancellationToken);
                try
                {
                    // Direct I/O writes whole blocks: the last, partial one goes through the page cache.
                    var whole = direct ? DirectIo.AlignDown(read) : read;
                    if (whole > 0)
                    {
                        RandomAccess.Write(handle, current.Span[..whole], offset);
                    }

                    if (whole < read)
                    {
                        DirectIo.Disable(handle);
                        direct = false;
                        RandomAccess.Write(handle, current.Span[whole..read], offset + whole);
                    }
                }
                catch
                {
                    // The read under way fills a pooled buffer: it must be over before the buffers go back to the pool.
                    await DrainQuietlyAsync(nextRead).ConfigureAwait(false);
                    throw;
                }

                hasher.Append(current.Span[..read]);
                offset += read;
                read = await nextRead.ConfigureAwait(false);
                (current, next) = (next, current);
            }

            return (offset, hasher.Finish(), usedDirect);
        }
        finally
        {
            ReturnCopyBuffer(currentArray, pooledForDirect);
            ReturnCopyBuffer(nextArray, pooledForDirect);
        }
    }

    private static void ReturnCopyBuffer(byte[] array, bool direct)
    {
        if (direct)
        {
            DirectIo.Buffers.Return(array);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private static async Task DrainQuietlyAsync(ValueTask<int> read)
    {
        try
        {
            await read.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The write's failure is the one reported.
        }
    }

    private BlobProperties? Stat(BlobKey key, string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var modified = info.LastWriteTimeUtc;
        return new BlobProperties(key, info.Length, MakeETag(modified.Ticks, info.Length), new DateTimeOffset(modified));
    }

    private static BlobETag MakeETag(long ticks, long length) =>
        new($"\"{ticks.ToString("x", CultureInfo.InvariantCulture)}-{length.ToString("x", CultureInfo.InvariantCulture)}\"");

    private static void ValidateRange(BlobRange range, long total)
    {
        if (range.Offset < 0 || range.Offset > total || range.Length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(range), $"Range {range.Offset}+{range.Length} is outside a blob of {total} bytes.");
        }
    }

    private string GetPath(BlobKey key)
    {
        BlobKeyRules.Validate(key);
        return Path.Combine(RootPath, key.Container, key.Name.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string TempPathFor(string directory) => Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");

    private SemaphoreSlim LockFor(string path) => _keyLocks[LockIndex(path)];

    private static int LockIndex(string path) => (int)((uint)StringComparer.Ordinal.GetHashCode(path) % LockStripes);

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover dot-file is invisible to readers and listings.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Stops the durability thread (shared-sync mode); writes still waiting for a round complete first.</summary>
    public void Dispose() => (_commit as IDisposable)?.Dispose();
}
