using Mirc.Testing;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>The blob contract on the local filesystem with shared syncfs rounds (the Linux default).</summary>
public sealed class SharedSyncFileSystemBlobStoreTests() : FileSystemBlobStoreTests(OperatingSystem.IsLinux() ? FileSystemDurability.SharedSync : FileSystemDurability.PerFile);

/// <summary>The blob contract on the local filesystem with an fsync per file and folder.</summary>
public sealed class PerFileFileSystemBlobStoreTests() : FileSystemBlobStoreTests(FileSystemDurability.PerFile);

/// <summary>The blob contract on the local filesystem with every write through the page cache (direct writes off).</summary>
public sealed class BufferedFileSystemBlobStoreTests() : FileSystemBlobStoreTests(OperatingSystem.IsLinux() ? FileSystemDurability.SharedSync : FileSystemDurability.PerFile, directWrites: false)
{
    [Fact]
    public void Direct_writes_are_off_when_not_asked_for() => Assert.False(((FileSystemBlobStore)Store).DirectWrites);
}

/// <summary>The blob contract on the local filesystem, plus what only the filesystem can show.</summary>
public abstract class FileSystemBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("blobs");
    private readonly FileSystemBlobStore _store;

    protected FileSystemBlobStoreTests(FileSystemDurability durability, bool directWrites = true)
    {
        _store = new FileSystemBlobStore(_root, durability, directWrites);
        Assert.Equal(durability, _store.Durability);
    }

    protected override IBlobStore Store => _store;

    public void Dispose()
    {
        _store.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public void Writers_are_asked_to_write_at_final_names_only_where_the_flush_rounds_persist_them()
    {
        // Per-file durability persists a staged upload by its durable rename: a write at the final name would skip that.
        Assert.Equal(_store.Durability == FileSystemDurability.SharedSync, Store.WritesAtFinalName);
        Assert.Equal(Store.FlushCoversLazyWrites, Store.WritesAtFinalName);
    }

    [Fact]
    public async Task An_in_place_write_that_fails_leaves_what_was_promoted_over_it_meanwhile()
    {
        // An instance arriving at its final name while another store of it, staged, wins and is promoted there; then the
        // arriving one breaks off. Its clean-up must not take the promoted bytes with it.
        var key = Key("final/raced.dcm");
        var theirs = RandomBytes(1_000);
        await Store.WriteAsync(Key("staged/theirs.tmp"), new MemoryStream(theirs), cancellationToken: Ct);
        var arriving = new ForwardOnlyStream(RandomBytes(300_000), 150_000,
            beforeFailing: () => Store.MoveAsync(Key("staged/theirs.tmp"), key, Ct).GetAwaiter().GetResult());

        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(key, arriving, new BlobWriteOptions { InPlace = true, Durable = false }, Ct));

        Assert.Equal(theirs, (await Store.TryReadAllAsync(key, Ct))?.Content.ToArray());
    }

    [Fact]
    public async Task Blobs_are_files_under_container_folders_and_no_temporary_file_remains()
    {
        await Store.WriteAsync(Key("1.2/3.4/5.6.dcm"), new MemoryStream(RandomBytes(1_000)), cancellationToken: Ct);
        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(Key("1.2/3.4/7.dcm"), new ForwardOnlyStream(RandomBytes(300_000), 150_000), cancellationToken: Ct));
        await Assert.ThrowsAsync<BlobHashMismatchException>(() =>
            Store.WriteAsync(Key("1.2/3.4/8.dcm"), new MemoryStream(RandomBytes(10)), new BlobWriteOptions { ExpectedDigest = "xxh128:" + new string('0', 32) }, Ct));

        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).ToList();
        Assert.Equal([Path.Combine(Container, "1.2", "3.4", "5.6.dcm")], files);
    }

    [Fact]
    public async Task Prepared_folders_exist_before_any_write_and_preparing_again_keeps_what_they_hold()
    {
        await Store.PrepareFoldersAsync(Container, ["00", "7f", "ff"], Ct);
        Assert.Equal(["00", "7f", "ff"], Directory.GetDirectories(Path.Combine(_root, Container)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await Store.WriteAsync(Key("7f/1.2_3.4.dcm"), new MemoryStream(RandomBytes(100)), cancellationToken: Ct);

        await Store.PrepareFoldersAsync(Container, ["00", "7f", "ff"], Ct);

        Assert.NotNull(await Store.TryGetPropertiesAsync(Key("7f/1.2_3.4.dcm"), Ct));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, Container, "00")));
    }

    [Fact]
    public async Task An_in_place_write_creates_the_key_itself_refuses_an_existing_one_and_leaves_nothing_when_it_fails()
    {
        // A staged upload's key is new and nobody else reads it: written where it is, no temporary file renamed over it.
        var key = Key("staged/in-place.tmp");
        var content = RandomBytes(300_000);
        var written = await Store.WriteAsync(key, new ForwardOnlyStream(content), new BlobWriteOptions { InPlace = true, Durable = false }, Ct);
        Assert.Equal(ContentDigest.Compute(content), written.Digest);
        Assert.Equal(written.ETag, (await Store.TryGetPropertiesAsync(key, Ct))!.ETag);
        Assert.Equal(content, (await Store.TryReadAllAsync(key, Ct))!.Content.ToArray());

        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(key, new MemoryStream(RandomBytes(10)), new BlobWriteOptions { InPlace = true }, Ct));
        Assert.Equal(content.Length, (await Store.TryGetPropertiesAsync(key, Ct))!.Length);

        var broken = Key("staged/broken.tmp");
        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(broken, new ForwardOnlyStream(RandomBytes(300_000), 150_000), new BlobWriteOptions { InPlace = true }, Ct));
        Assert.Null(await Store.TryGetPropertiesAsync(broken, Ct));
        Assert.Equal(["in-place.tmp"], Directory.GetFiles(Path.Combine(_root, Container, "staged")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_folder_removed_behind_the_stores_back_is_created_again_by_every_kind_of_write()
    {
        // The store remembers the folders it made (one mkdir per write was 4 – 5 system calls per ingested instance);
        // a folder removed meanwhile, e.g. a second site's volume remounted empty, must not make writes fail.
        var staged = Key("staged/a.dcm");
        await Store.WriteAsync(staged, new MemoryStream(RandomBytes(100)), cancellationToken: Ct);
        await Store.WriteIfMatchAsync(Key("state/s.json"), RandomBytes(10), null, Ct);
        await Store.RewriteAsync(Key("slots/0.json"), RandomBytes(10), Ct);
        await Store.MoveAsync(staged, Key("final/a.dcm"), Ct);
        Directory.Delete(Path.Combine(_root, Container), recursive: true);

        await Store.WriteAsync(staged, new MemoryStream(RandomBytes(100)), cancellationToken: Ct);
        await Store.WriteIfMatchAsync(Key("state/s.json"), RandomBytes(10), null, Ct);
        await Store.RewriteAsync(Key("slots/0.json"), RandomBytes(10), Ct);
        await Store.MoveAsync(staged, Key("final/a.dcm"), Ct);

        Assert.NotNull(await Store.TryReadAllAsync(Key("state/s.json"), Ct));
        Assert.NotNull(await Store.TryReadAllAsync(Key("slots/0.json"), Ct));
        Assert.Equal(100, (await Store.TryGetPropertiesAsync(Key("final/a.dcm"), Ct))!.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(4_097)]
    [InlineData(262_143)]
    [InlineData(262_144)]
    [InlineData(262_145)]
    [InlineData(1_000_003)]
    public async Task Streamed_writes_of_any_length_read_back_exactly(int length)
    {
        // Direct writes go in whole 4 KiB blocks of 256 KiB chunks; a last, partial block goes through the page cache.
        // From a stream of unknown length and from one whose length preallocates the file.
        var content = RandomBytes(length);
        var written = await Store.WriteAsync(Key($"sizes/{length}.dcm"), new ForwardOnlyStream(content), cancellationToken: Ct);
        var preallocated = await Store.WriteAsync(Key($"sizes/{length}.seekable.dcm"), new MemoryStream(content), cancellationToken: Ct);
        Assert.Equal(length, preallocated.Length);
        Assert.Equal(length, new FileInfo(Path.Combine(_root, Container, "sizes", $"{length}.seekable.dcm")).Length);
        Assert.Equal(content, await ReadAllAsync(Key($"sizes/{length}.seekable.dcm")));

        Assert.Equal(length, written.Length);
        Assert.Equal(ContentDigest.Compute(content), written.Digest);
        Assert.Equal(length, new FileInfo(Path.Combine(_root, Container, "sizes", $"{length}.dcm")).Length);
        await using var read = await Store.OpenReadAsync(Key($"sizes/{length}.dcm"), cancellationToken: Ct);
        var back = new MemoryStream();
        await read.CopyToAsync(back, Ct);
        Assert.Equal(content, back.ToArray());
    }

    [Fact]
    public async Task Conditional_versions_of_a_key_never_share_an_etag_even_within_one_clock_tick()
    {
        var key = Key("fast");
        var seen = new HashSet<BlobETag>();
        BlobETag? current = null;
        for (var i = 0; i < 50; i++)
        {
            current = await Store.WriteIfMatchAsync(key, new byte[] { 42 }, current, Ct);
            Assert.True(seen.Add(current.Value), $"ETag {current} repeated at write {i}");
        }
    }

    [Fact]
    public async Task Readers_racing_replacements_read_whole_versions_of_their_own_key()
    {
        // A replacement is written to a temporary file and renamed over the key; a reader opening the key just then
        // must get one whole version, never a sharing violation (the writer's lock) or a cut file.
        var keys = Enumerable.Range(0, 4).Select(i => Key($"state/race-{i}.rec")).ToArray();
        var etags = new BlobETag?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            etags[i] = await Store.WriteIfMatchAsync(keys[i], Version(keys[i], 0), null, Ct);
        }

        // A count of replacements, not a duration: each one is flushed to disk, which a slow CI disk makes take 100s of ms.
        const int Replacements = 30;
        var writersDone = 0;
        var writers = keys.Select((key, i) => Task.Run(async () =>
        {
            try
            {
                for (var version = 1; version <= Replacements; version++)
                {
                    etags[i] = await Store.WriteIfMatchAsync(key, Version(key, version), etags[i], Ct);
                }
            }
            finally
            {
                Interlocked.Increment(ref writersDone);
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            var reads = 0;
            // Until the writers are done, and a few rounds at least whatever the disk's speed.
            while (Volatile.Read(ref writersDone) < keys.Length || reads < Replacements)
            {
                // A small read completes synchronously: without a yield the readers would keep the writers off the pool.
                await Task.Yield();
                var key = keys[reads++ % keys.Length];
                var content = (await Store.TryReadAllAsync(key, Ct))!.Content.ToArray();
                var version = int.Parse(System.Text.Encoding.ASCII.GetString(content.AsSpan(0, 8)), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(Version(key, version), content);
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120), Ct);
        await Task.WhenAll(readers);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(Version(keys[i], Replacements), (await Store.TryReadAllAsync(keys[i], Ct))!.Content.ToArray());
        }

        // Each version: its number, then the key's name, then filler whose length and bytes follow both.
        static byte[] Version(BlobKey key, int version)
        {
            var head = System.Text.Encoding.ASCII.GetBytes($"{version:D8}{key.Name}");
            var filler = Enumerable.Range(0, 100 + (version * 37 % 3_000)).Select(b => (byte)(b ^ version ^ key.Name.Length));
            return [.. head, .. filler];
        }
    }
}
