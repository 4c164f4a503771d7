using System.Security.Cryptography;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>Behaviour every <see cref="IBlobStore"/> must have; run against the filesystem and Azurite.</summary>
public abstract class BlobStoreContractTests
{
    /// <summary>Each test writes into its own container.</summary>
    protected readonly string Container = "t" + Guid.NewGuid().ToString("N")[..20];

    protected abstract IBlobStore Store { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected BlobKey Key(string name) => new(Container, name);

    protected static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    protected async Task<byte[]> ReadAllAsync(BlobKey key, BlobRange? range = null)
    {
        await using var stream = await Store.OpenReadAsync(key, range, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    [Fact]
    public async Task Write_then_read_returns_the_bytes_with_size_hash_and_etag()
    {
        var content = RandomBytes(10_000);
        var result = await Store.WriteAsync(Key("1.2.3/4.5/6.7.dcm"), new MemoryStream(content), cancellationToken: Ct);

        Assert.Equal(content.Length, result.Length);
        Assert.Equal(Xxh128.Of(content), result.Digest);
        Assert.Equal(content, await ReadAllAsync(Key("1.2.3/4.5/6.7.dcm")));
        var properties = await Store.TryGetPropertiesAsync(Key("1.2.3/4.5/6.7.dcm"), Ct);
        Assert.NotNull(properties);
        Assert.Equal(content.Length, properties.Length);
        Assert.Equal(result.ETag, properties.ETag);
    }

    [Fact]
    public async Task Multi_block_write_from_a_non_seekable_stream_round_trips()
    {
        var content = RandomBytes((9 * 1024 * 1024) + 123);
        var result = await Store.WriteAsync(Key("big.bin"), new ForwardOnlyStream(content), cancellationToken: Ct);

        Assert.Equal(content.Length, result.Length);
        Assert.Equal(Xxh128.Of(content), result.Digest);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await ReadAllAsync(Key("big.bin"))));
    }

    [Fact]
    public async Task Empty_blob_round_trips()
    {
        var result = await Store.WriteAsync(Key("empty"), new MemoryStream(), cancellationToken: Ct);
        Assert.Equal(0, result.Length);
        Assert.Equal(Xxh128.Of([]), result.Digest);
        Assert.Empty(await ReadAllAsync(Key("empty")));
    }

    [Fact]
    public async Task Hash_mismatch_commits_nothing_and_keeps_the_previous_version()
    {
        var original = RandomBytes(2_000);
        await Store.WriteAsync(Key("kept"), new MemoryStream(original), cancellationToken: Ct);
        var wrongHash = Xxh128.Of(RandomBytes(10));

        var error = await Assert.ThrowsAsync<BlobHashMismatchException>(() =>
            Store.WriteAsync(Key("kept"), new MemoryStream(RandomBytes(2_000)), new BlobWriteOptions { ExpectedDigest = wrongHash }, Ct));
        await Assert.ThrowsAsync<BlobHashMismatchException>(() =>
            Store.WriteAsync(Key("never"), new MemoryStream(RandomBytes(5 * 1024 * 1024)), new BlobWriteOptions { ExpectedDigest = wrongHash }, Ct));

        Assert.Equal(wrongHash, error.ExpectedDigest);
        Assert.Equal(original, await ReadAllAsync(Key("kept")));
        Assert.Null(await Store.TryGetPropertiesAsync(Key("never"), Ct));
    }

    [Fact]
    public async Task Matching_expected_hash_is_accepted()
    {
        var content = RandomBytes(3_000);
        var result = await Store.WriteAsync(Key("ok"), new MemoryStream(content), new BlobWriteOptions { ExpectedDigest = Xxh128.Of(content) }, Ct);
        Assert.Equal(content.Length, result.Length);
    }

    [Fact]
    public async Task An_expected_sha256_digest_is_checked_with_sha256()
    {
        // A repair copy of an instance stored before the digest changed carries the manifest's SHA-256.
        var content = RandomBytes(3_000);
        var legacy = Convert.ToHexStringLower(SHA256.HashData(content));
        var result = await Store.WriteAsync(Key("legacy"), new MemoryStream(content), new BlobWriteOptions { ExpectedDigest = legacy }, Ct);
        Assert.Equal(legacy, result.Digest);

        var error = await Assert.ThrowsAsync<BlobHashMismatchException>(() =>
            Store.WriteAsync(Key("legacy-other"), new MemoryStream(RandomBytes(3_000)), new BlobWriteOptions { ExpectedDigest = legacy }, Ct));
        Assert.Equal(64, error.ActualDigest.Length);
        Assert.Null(await Store.TryGetPropertiesAsync(Key("legacy-other"), Ct));
    }

    [Fact]
    public async Task Failing_source_stream_leaves_no_blob()
    {
        var content = RandomBytes(300_000);
        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(Key("broken"), new ForwardOnlyStream(content, failAfter: 200_000), cancellationToken: Ct));

        Assert.Null(await Store.TryGetPropertiesAsync(Key("broken"), Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(Key("broken"), null, Ct));
    }

    [Fact]
    public async Task Overwrite_false_refuses_an_existing_blob()
    {
        var original = RandomBytes(100);
        await Store.WriteAsync(Key("once"), new MemoryStream(original), cancellationToken: Ct);

        await Assert.ThrowsAsync<BlobConcurrencyException>(() =>
            Store.WriteAsync(Key("once"), new MemoryStream(RandomBytes(100)), new BlobWriteOptions { Overwrite = false }, Ct));
        Assert.Equal(original, await ReadAllAsync(Key("once")));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData((5 * 1024 * 1024) + 7, false)] // more than one Azure block
    [InlineData(100, true)] // in place, as the ingest writes (the filesystem's check is then its create itself)
    [InlineData(300_000, true)]
    public async Task Write_unless_taken_writes_at_a_free_key_and_at_the_alternate_when_the_key_is_taken(int length, bool inPlace)
    {
        var first = RandomBytes(length);
        var second = RandomBytes(length);
        var options = new BlobWriteOptions { InPlace = inPlace, Durable = !inPlace };

        var free = await Store.WriteUnlessTakenAsync(Key("final"), Key("alternate-1"), new ForwardOnlyStream(first), options, Ct);
        var taken = await Store.WriteUnlessTakenAsync(Key("final"), Key("alternate-2"), new ForwardOnlyStream(second), options, Ct);

        Assert.Equal(Key("final"), free.Key);
        Assert.Equal(Key("alternate-2"), taken.Key);
        Assert.Equal((length, Xxh128.Of(second)), (taken.Length, taken.Digest));
        Assert.Equal(first, await ReadAllAsync(Key("final")));
        Assert.Equal(free.ETag, (await Store.TryGetPropertiesAsync(Key("final"), Ct))!.ETag);
        Assert.Equal(second, await ReadAllAsync(Key("alternate-2")));
        Assert.Null(await Store.TryGetPropertiesAsync(Key("alternate-1"), Ct));
    }

    [Fact]
    public async Task Rewriting_identical_content_changes_the_etag()
    {
        var content = RandomBytes(64);
        var first = await Store.WriteAsync(Key("same"), new MemoryStream(content), cancellationToken: Ct);
        var second = await Store.WriteAsync(Key("same"), new MemoryStream(content), cancellationToken: Ct);
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Fact]
    public async Task Range_reads_return_the_requested_bytes()
    {
        var content = RandomBytes(50_000);
        await Store.WriteAsync(Key("frames"), new MemoryStream(content), cancellationToken: Ct);

        Assert.Equal(content.AsSpan(1_000, 2_345).ToArray(), await ReadAllAsync(Key("frames"), new BlobRange(1_000, 2_345)));
        Assert.Equal(content.AsSpan(49_000).ToArray(), await ReadAllAsync(Key("frames"), new BlobRange(49_000)));
        Assert.Equal(content.AsSpan(49_990).ToArray(), await ReadAllAsync(Key("frames"), new BlobRange(49_990, 100)));
        Assert.Empty(await ReadAllAsync(Key("frames"), new BlobRange(50_000)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(Key("frames"), new BlobRange(60_000, 10), Ct));
    }

    [Fact]
    public async Task Missing_blobs_are_reported_as_missing()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(Key("nothing"), null, Ct));
        Assert.Null(await Store.TryGetPropertiesAsync(Key("nothing"), Ct));
        Assert.Null(await Store.TryReadAllAsync(Key("nothing"), Ct));
        Assert.False(await Store.DeleteAsync(Key("nothing"), null, Ct));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Conditional_writes_follow_etags(bool publishLazily)
    {
        Task<BlobETag> Write(BlobKey key, byte[] content, BlobETag? expected) => publishLazily
            ? Store.WriteIfMatchLazilyAsync(key, content, expected, Ct)
            : Store.WriteIfMatchAsync(key, content, expected, Ct);

        var key = Key("state/grain-1");
        var v1 = await Write(key, [1], expected: null);
        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Write(key, [9], expected: null));

        var v2 = await Write(key, [2, 2], v1);
        Assert.NotEqual(v1, v2);
        var stale = await Assert.ThrowsAsync<BlobConcurrencyException>(() => Write(key, [3], v1));
        Assert.Equal(v1, stale.Expected);

        // A lazily published version is the current one at once (readers and later conditional writes see it).
        var read = await Store.TryReadAllAsync(key, Ct);
        Assert.NotNull(read);
        Assert.Equal(new byte[] { 2, 2 }, read.Content.ToArray());
        Assert.Equal(v2, read.ETag);
        Assert.Equal(v2, (await Store.TryGetPropertiesAsync(key, Ct))!.ETag);
        await Store.FlushAsync(Ct);
        Assert.Equal(v2, (await Store.TryGetPropertiesAsync(key, Ct))!.ETag);
    }

    [Fact]
    public async Task A_create_in_place_makes_a_new_blob_and_refuses_an_existing_one()
    {
        var key = Key("state/created");
        var v1 = await Store.CreateInPlaceAsync(key, new byte[] { 1, 2, 3 }, Ct);
        var read = await Store.TryReadAllAsync(key, Ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, read!.Content.ToArray());
        Assert.Equal(v1, read.ETag);

        var refused = await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.CreateInPlaceAsync(key, new byte[] { 9 }, Ct));
        Assert.Null(refused.Expected);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await Store.TryReadAllAsync(key, Ct))!.Content.ToArray());

        // The version it returns is a real one: a conditional replace with it wins.
        var v2 = await Store.WriteIfMatchAsync(key, new byte[] { 4 }, v1, Ct);
        Assert.NotEqual(v1, v2);
    }

    [Fact]
    public async Task A_lazy_create_in_place_is_readable_at_once_refuses_an_existing_blob_and_outlives_the_next_flush()
    {
        // For a first record its caller flushes next (a new patient's link and record, with the ingest's intent).
        var key = Key("state/created-lazily");
        var v1 = await Store.CreateInPlaceLazilyAsync(key, new byte[] { 5, 6 }, Ct);
        var read = await Store.TryReadAllAsync(key, Ct);
        Assert.Equal(new byte[] { 5, 6 }, read!.Content.ToArray());
        Assert.Equal(v1, read.ETag);

        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.CreateInPlaceLazilyAsync(key, new byte[] { 9 }, Ct));
        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.CreateInPlaceAsync(key, new byte[] { 9 }, Ct));
        await Store.FlushAsync(Ct);
        Assert.Equal(v1, (await Store.TryGetPropertiesAsync(key, Ct))!.ETag);
        var v2 = await Store.WriteIfMatchAsync(key, new byte[] { 7 }, v1, Ct);
        Assert.NotEqual(v1, v2);
    }

    [Fact]
    public async Task Conditional_write_on_a_missing_blob_with_an_etag_fails()
    {
        var v1 = await Store.WriteIfMatchAsync(Key("gone"), new byte[] { 1 }, null, Ct);
        await Store.DeleteAsync(Key("gone"), null, Ct);
        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.WriteIfMatchAsync(Key("gone"), new byte[] { 2 }, v1, Ct));
    }

    [Fact]
    public async Task Only_one_of_concurrent_conditional_writers_wins()
    {
        var key = Key("race");
        var start = await Store.WriteIfMatchAsync(key, new byte[] { 0 }, null, Ct);
        var attempts = Enumerable.Range(1, 8).Select(async i =>
        {
            try
            {
                await Store.WriteIfMatchAsync(key, new[] { (byte)i }, start, Ct);
                return true;
            }
            catch (BlobConcurrencyException)
            {
                return false;
            }
        }).ToList();

        var outcomes = await Task.WhenAll(attempts);
        Assert.Equal(1, outcomes.Count(won => won));
        var winner = Array.IndexOf(outcomes, true) + 1;
        Assert.Equal(new[] { (byte)winner }, (await Store.TryReadAllAsync(key, Ct))!.Content.ToArray());
    }

    [Fact]
    public async Task Delete_honours_if_match()
    {
        var key = Key("doomed");
        var v1 = await Store.WriteIfMatchAsync(key, new byte[] { 1 }, null, Ct);
        var v2 = await Store.WriteIfMatchAsync(key, new byte[] { 2 }, v1, Ct);

        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.DeleteAsync(key, v1, Ct));
        Assert.NotNull(await Store.TryGetPropertiesAsync(key, Ct));
        Assert.True(await Store.DeleteAsync(key, v2, Ct));
        Assert.Null(await Store.TryGetPropertiesAsync(key, Ct));
        Assert.False(await Store.DeleteAsync(key, null, Ct));
    }

    [Fact]
    public async Task List_filters_by_prefix()
    {
        foreach (var name in new[] { "1.2/a.dcm", "1.2/b.dcm", "1.3/a.dcm", "1.20/c.dcm" })
        {
            await Store.WriteAsync(Key(name), new MemoryStream(RandomBytes(10)), cancellationToken: Ct);
        }

        var all = await ListNamesAsync(null);
        var study = await ListNamesAsync("1.2/");
        var partial = await ListNamesAsync("1.2");

        Assert.Equal(["1.2/a.dcm", "1.2/b.dcm", "1.20/c.dcm", "1.3/a.dcm"], all);
        Assert.Equal(["1.2/a.dcm", "1.2/b.dcm"], study);
        Assert.Equal(["1.2/a.dcm", "1.2/b.dcm", "1.20/c.dcm"], partial);
        Assert.Empty(await ListNamesAsync("9/"));
        Assert.Empty(await Store.ListAsync("nosuchcontainer" + Container[..10], null, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task List_reports_size_and_etag()
    {
        var written = await Store.WriteAsync(Key("x/y"), new MemoryStream(RandomBytes(77)), cancellationToken: Ct);
        var listed = Assert.Single(await Store.ListAsync(Container, null, Ct).ToListAsync(Ct));
        Assert.Equal(77, listed.Length);
        Assert.Equal(written.ETag, listed.ETag);
    }

    /// <summary>What the orphan sweep relies on in both stores: a listing's time is the last write, and its version guards the deletion.</summary>
    [Fact]
    public async Task A_listed_blob_carries_its_write_time_and_is_deleted_only_at_the_listed_version()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await Store.WriteAsync(Key("1.2/1.3/a.dcm"), new MemoryStream(RandomBytes(10)), cancellationToken: Ct);
        await Store.WriteAsync(Key("1.2/1.3/b.dcm"), new MemoryStream(RandomBytes(10)), cancellationToken: Ct);
        var listed = (await Store.ListAsync(Container, null, Ct).ToListAsync(Ct)).ToDictionary(b => b.Key.Name);
        var after = DateTimeOffset.UtcNow.AddSeconds(5);

        Assert.All(listed.Values, b => Assert.InRange(b.LastModified, before, after));
        await Store.WriteAsync(Key("1.2/1.3/b.dcm"), new MemoryStream(RandomBytes(11)), new BlobWriteOptions { Overwrite = true }, Ct);
        Assert.True(await Store.DeleteAsync(listed["1.2/1.3/a.dcm"].Key, listed["1.2/1.3/a.dcm"].ETag, Ct));
        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.DeleteAsync(listed["1.2/1.3/b.dcm"].Key, listed["1.2/1.3/b.dcm"].ETag, Ct));
        Assert.NotNull(await Store.TryGetPropertiesAsync(Key("1.2/1.3/b.dcm"), Ct));
    }

    [Fact]
    public async Task Move_promotes_a_staged_blob()
    {
        var content = RandomBytes(20_000);
        await Store.WriteAsync(Key("staging/abc.tmp"), new MemoryStream(content), cancellationToken: Ct);
        await Store.WriteAsync(Key("final/1.dcm"), new MemoryStream(RandomBytes(5)), cancellationToken: Ct);

        var moved = await Store.MoveAsync(Key("staging/abc.tmp"), Key("final/1.dcm"), Ct);

        Assert.Equal(content.Length, moved.Length);
        Assert.Equal(content, await ReadAllAsync(Key("final/1.dcm")));
        Assert.Null(await Store.TryGetPropertiesAsync(Key("staging/abc.tmp"), Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.MoveAsync(Key("staging/abc.tmp"), Key("final/2.dcm"), Ct));
    }

    [Fact]
    public async Task A_moved_blob_reports_the_version_it_is_then_read_with_at_a_new_key_and_over_a_stored_one()
    {
        await Store.WriteAsync(Key("staging/v1.tmp"), new MemoryStream(RandomBytes(3_000)), cancellationToken: Ct);
        var atNewKey = await Store.MoveAsync(Key("staging/v1.tmp"), Key("final/v.dcm"), Ct);
        var stored = await Store.TryGetPropertiesAsync(Key("final/v.dcm"), Ct);
        Assert.Equal((Key("final/v.dcm"), 3_000L, stored!.ETag), (atNewKey.Key, atNewKey.Length, atNewKey.ETag));

        await Store.WriteAsync(Key("staging/v2.tmp"), new MemoryStream(RandomBytes(3_000)), cancellationToken: Ct);
        var overStored = await Store.MoveAsync(Key("staging/v2.tmp"), Key("final/v.dcm"), Ct);
        var replaced = await Store.TryGetPropertiesAsync(Key("final/v.dcm"), Ct);

        Assert.Equal(replaced!.ETag, overStored.ETag);
        Assert.NotEqual(stored.ETag, overStored.ETag);
        await Assert.ThrowsAsync<BlobConcurrencyException>(() => Store.DeleteAsync(Key("final/v.dcm"), stored.ETag, Ct));
    }

    [Fact]
    public async Task A_scratch_write_moved_into_place_reads_back_whole()
    {
        var content = RandomBytes(70_000);
        await Store.WriteAsync(Key("staging/scratch.tmp"), new ForwardOnlyStream(content), new BlobWriteOptions { Durable = false }, Ct);

        await Store.MoveAsync(Key("staging/scratch.tmp"), Key("final/scratch.dcm"), Ct);

        Assert.Equal(content, await ReadAllAsync(Key("final/scratch.dcm")));
    }

    [Fact]
    public async Task A_lazy_move_then_a_flush_leaves_the_blob_readable_at_its_new_key_only()
    {
        var content = RandomBytes(40_000);
        await Store.WriteAsync(Key("staging/lazy.tmp"), new MemoryStream(content), new BlobWriteOptions { Durable = false }, Ct);

        var moved = await Store.MoveLazilyAsync(Key("staging/lazy.tmp"), Key("final/lazy.dcm"), Ct);
        await Store.FlushAsync(Ct);

        Assert.Equal(content.Length, moved.Length);
        Assert.Equal(content, await ReadAllAsync(Key("final/lazy.dcm")));
        Assert.Null(await Store.TryGetPropertiesAsync(Key("staging/lazy.tmp"), Ct));
    }

    [Fact]
    public async Task Rewrite_replaces_content_longer_or_shorter_and_creates_missing_blobs()
    {
        var key = Key("journal/slot-0001.json");
        await Store.RewriteAsync(key, "[1,2,3,4,5,6,7,8,9]"u8.ToArray(), Ct);
        Assert.Equal("[1,2,3,4,5,6,7,8,9]"u8.ToArray(), (await Store.TryReadAllAsync(key, Ct))!.Content.ToArray());
        var before = (await Store.TryGetPropertiesAsync(key, Ct))!.ETag;

        await Store.RewriteAsync(key, "[]"u8.ToArray(), Ct);

        var after = await Store.TryReadAllAsync(key, Ct);
        Assert.Equal("[]"u8.ToArray(), after!.Content.ToArray());
        Assert.NotEqual(before, after.ETag);
        Assert.Equal(["journal/slot-0001.json"], await ListNamesAsync("journal/"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("/rooted")]
    [InlineData("a//b")]
    [InlineData(".hidden")]
    [InlineData("dir/")]
    [InlineData("back\\slash")]
    public async Task Unsafe_names_are_rejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(Key(name), new MemoryStream(new byte[1]), cancellationToken: Ct));
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("a--b")]
    [InlineData("-ab")]
    [InlineData("a_b")]
    public async Task Invalid_containers_are_rejected(string container)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(new BlobKey(container, "x"), new MemoryStream(new byte[1]), cancellationToken: Ct));
    }

    [Fact]
    public async Task Many_parallel_writes_all_land()
    {
        var writes = Enumerable.Range(0, 40).Select(i => Store.WriteAsync(Key($"p/{i}.dcm"), new MemoryStream(RandomBytes(1_000 + i)), cancellationToken: Ct));
        var results = await Task.WhenAll(writes);

        Assert.Equal(40, results.Select(r => r.ETag).Distinct().Count());
        Assert.Equal(40, (await ListNamesAsync("p/")).Count);
    }

    protected async Task<List<string>> ListNamesAsync(string? prefix) =>
        (await Store.ListAsync(Container, prefix, Ct).Select(p => p.Key.Name).ToListAsync(Ct)).Order(StringComparer.Ordinal).ToList();
}
