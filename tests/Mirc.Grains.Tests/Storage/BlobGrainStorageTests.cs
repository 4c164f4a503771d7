using Mirc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>The grain-state provider called directly, as Orleans calls it.</summary>
public sealed class BlobGrainStorageTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("grainstate");
    private readonly FileSystemBlobStore _blobs;
    private readonly InstanceBlobLayout _layout = new("mirc", 4);
    private readonly BlobGrainStorage _storage;
    private readonly ServiceProvider _services;

    public BlobGrainStorageTests()
    {
        _blobs = new FileSystemBlobStore(_root);
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _storage = new BlobGrainStorage("archive", _blobs, _layout, _services.GetRequiredService<Serializer>(), NullLogger<BlobGrainStorage>.Instance);
    }

    public void Dispose()
    {
        _services.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GrainId Grain(string key) => GrainId.Create("study", key);

    [Fact]
    public async Task Missing_state_reads_as_a_new_empty_record()
    {
        var state = new GrainState<Dictionary<string, int>>();
        await _storage.ReadStateAsync("counts", Grain("1.2.3"), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Empty(state.State);
    }

    [Fact]
    public async Task Written_state_is_read_back_with_its_etag()
    {
        var written = new GrainState<Dictionary<string, int>>(new Dictionary<string, int> { ["CT"] = 3, ["MR"] = 7 });
        await _storage.WriteStateAsync("counts", Grain("1.2.3"), written);

        var read = new GrainState<Dictionary<string, int>>();
        await _storage.ReadStateAsync("counts", Grain("1.2.3"), read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State, read.State);
    }

    [Fact]
    public async Task The_journaled_variant_shares_the_state_and_still_refuses_stale_writes()
    {
        // Study manifests go through the lazily publishing variant; everything else reads them through the plain one.
        var journaled = new BlobGrainStorage("archive-journaled", _blobs, _layout, _services.GetRequiredService<Serializer>(), NullLogger<BlobGrainStorage>.Instance, publishLazily: true);
        var written = new GrainState<List<string>>(["1.2.3.1"]);
        await journaled.WriteStateAsync("manifest-0", Grain("1.2.3"), written);
        var first = written.ETag;
        written.State!.Add("1.2.3.2");
        await journaled.WriteStateAsync("manifest-0", Grain("1.2.3"), written);

        var read = new GrainState<List<string>>();
        await _storage.ReadStateAsync("manifest-0", Grain("1.2.3"), read);
        Assert.Equal(["1.2.3.1", "1.2.3.2"], read.State);
        Assert.Equal(written.ETag, read.ETag);

        var stale = new GrainState<List<string>>(["other"]) { ETag = first };
        await Assert.ThrowsAsync<InconsistentStateException>(() => journaled.WriteStateAsync("manifest-0", Grain("1.2.3"), stale));
    }

    [Fact]
    public async Task A_replayed_write_publishes_a_replacement_lazily_and_still_creates_a_new_record_durably()
    {
        // The study summary written behind the answer: a journal intent replays it, as it does the manifest segments.
        var counting = new Archive.CountingBlobStore(_blobs);
        var storage = new BlobGrainStorage("archive", counting, _layout, _services.GetRequiredService<Serializer>(), NullLogger<BlobGrainStorage>.Instance);
        var state = new GrainState<List<string>>(["1.2.3.1"]);

        await ReplayedWrites.WriteAsync(() => storage.WriteStateAsync("study", Grain("1.2.3"), state));
        state.State!.Add("1.2.3.2");
        await storage.WriteStateAsync("study", Grain("1.2.3"), state);
        Assert.Empty(counting.LazyWrites);

        state.State.Add("1.2.3.3");
        await ReplayedWrites.WriteAsync(() => storage.WriteStateAsync("study", Grain("1.2.3"), state));
        Assert.Single(counting.LazyWrites);
        var read = new GrainState<List<string>>();
        await _storage.ReadStateAsync("study", Grain("1.2.3"), read);
        Assert.Equal(["1.2.3.1", "1.2.3.2", "1.2.3.3"], read.State);
        Assert.Equal(state.ETag, read.ETag);

        // The scope ends with its write: the next plain one is durable again.
        state.State.Add("1.2.3.4");
        await storage.WriteStateAsync("study", Grain("1.2.3"), state);
        Assert.Single(counting.LazyWrites);
    }

    [Fact]
    public async Task State_names_and_grains_are_kept_apart()
    {
        await _storage.WriteStateAsync("a", Grain("1"), new GrainState<string>("a1"));
        await _storage.WriteStateAsync("b", Grain("1"), new GrainState<string>("b1"));
        await _storage.WriteStateAsync("a", Grain("2"), new GrainState<string>("a2"));

        async Task<string> Read(string name, string key)
        {
            var s = new GrainState<string>();
            await _storage.ReadStateAsync(name, Grain(key), s);
            return s.State!;
        }

        Assert.Equal("a1", await Read("a", "1"));
        Assert.Equal("b1", await Read("b", "1"));
        Assert.Equal("a2", await Read("a", "2"));
    }

    [Fact]
    public async Task A_stale_etag_is_an_inconsistent_state_naming_grain_and_etags()
    {
        var grain = Grain("1.2.840.99");
        var first = new GrainState<List<string>>();
        var second = new GrainState<List<string>>();
        await _storage.ReadStateAsync("manifest", grain, first);
        await _storage.ReadStateAsync("manifest", grain, second);

        first.State!.Add("one");
        await _storage.WriteStateAsync("manifest", grain, first);
        second.State!.Add("two");
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("manifest", grain, second));

        Assert.Contains(grain.ToString(), error.Message);
        Assert.Contains(first.ETag!, error.Message);
        Assert.Equal(first.ETag, error.StoredEtag);
        var stored = new GrainState<List<string>>();
        await _storage.ReadStateAsync("manifest", grain, stored);
        Assert.Equal(["one"], stored.State);
    }

    [Fact]
    public async Task Clear_removes_the_record_and_respects_the_etag()
    {
        var grain = Grain("to-clear");
        var owner = new GrainState<string>("value");
        await _storage.WriteStateAsync("s", grain, owner);
        var stale = new GrainState<string> { ETag = owner.ETag };
        await _storage.WriteStateAsync("s", grain, owner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("s", grain, stale));
        await _storage.ClearStateAsync("s", grain, owner);

        Assert.False(owner.RecordExists);
        Assert.Null(owner.ETag);
        var read = new GrainState<string>();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.False(read.RecordExists);

        // A record created after the clear can be written again from scratch.
        await _storage.WriteStateAsync("s", grain, new GrainState<string>("again"));
    }

    [Fact]
    public async Task A_new_record_is_framed_and_one_torn_by_a_crash_during_its_first_write_reads_as_never_written()
    {
        var grain = Grain("1.2.840.torn");
        await _storage.WriteStateAsync("s", grain, new GrainState<string>("first"));
        var file = Path.Combine(_root, _layout.GrainStateContainer, "s", "study", "1%2E2%2E840%2Etorn" + GrainStateBlobNaming.FramedSuffix);
        var record = await File.ReadAllBytesAsync(file, Ct);
        Assert.Equal("MIRCGS01"u8.ToArray(), record[..8]);

        // What a crash can leave of an in-place creation: the name with a short, zeroed or half-written content.
        foreach (var torn in new[] { [], new byte[record.Length], record[..^3], [.. record[..^1], (byte)(record[^1] ^ 0xFF)] })
        {
            await File.WriteAllBytesAsync(file, torn, Ct);
            var read = new GrainState<string>();
            await _storage.ReadStateAsync("s", grain, read);
            Assert.False(read.RecordExists);
            Assert.Null(read.State);

            // The next write replaces it; nobody else may meanwhile.
            var stale = new GrainState<string>("other");
            await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", grain, stale));
            read.State = "again";
            await _storage.WriteStateAsync("s", grain, read);
            var back = new GrainState<string>();
            await _storage.ReadStateAsync("s", grain, back);
            Assert.Equal("again", back.State);
            Assert.Equal(read.ETag, back.ETag);
        }
    }

    [Fact]
    public async Task A_record_of_the_former_form_is_read_then_moved_to_the_framed_form_by_its_next_write()
    {
        var grain = Grain("1.2.840.former");
        var serializer = _services.GetRequiredService<Serializer>();
        var former = GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "s", grain);
        await _blobs.WriteIfMatchAsync(former, serializer.SerializeToArray(new List<string> { "stored by the former version" }), null, Ct);

        var owner = new GrainState<List<string>>();
        var rival = new GrainState<List<string>>();
        await _storage.ReadStateAsync("s", grain, owner);
        await _storage.ReadStateAsync("s", grain, rival);
        Assert.True(owner.RecordExists);
        Assert.Equal(["stored by the former version"], owner.State);

        owner.State!.Add("added after the upgrade");
        await _storage.WriteStateAsync("s", grain, owner);
        Assert.Null(await _blobs.TryGetPropertiesAsync(former, Ct));
        Assert.NotNull(await _blobs.TryGetPropertiesAsync(GrainStateBlobNaming.FramedKeyFor(_layout.GrainStateContainer, "s", grain), Ct));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", grain, rival));

        var read = new GrainState<List<string>>();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["stored by the former version", "added after the upgrade"], read.State);
        await _storage.ClearStateAsync("s", grain, read);
        Assert.Empty(await _blobs.ListAsync(_layout.GrainStateContainer, null, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_torn_framed_record_beside_a_former_one_leaves_the_former_state_until_the_next_write()
    {
        // A crash during the move of a former record: the former record is what was acknowledged.
        var grain = Grain("1.2.840.moving");
        var serializer = _services.GetRequiredService<Serializer>();
        var former = GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "s", grain);
        await _blobs.WriteIfMatchAsync(former, serializer.SerializeToArray("former"), null, Ct);
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.FramedKeyFor(_layout.GrainStateContainer, "s", grain), new byte[40], null, Ct);

        var read = new GrainState<string>();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("former", read.State);

        read.State = "moved";
        await _storage.WriteStateAsync("s", grain, read);
        Assert.Null(await _blobs.TryGetPropertiesAsync(former, Ct));
        var back = new GrainState<string>();
        await _storage.ReadStateAsync("s", grain, back);
        Assert.Equal("moved", back.State);
    }

    [Fact]
    public async Task Awkward_grain_keys_map_to_safe_blob_names_inside_the_state_container()
    {
        var keys = new[] { "../../etc/passwd", "a/b c", ".hidden", "é\u00e8\u4e2d", "%41" };
        foreach (var key in keys)
        {
            await _storage.WriteStateAsync("s", Grain(key), new GrainState<string>(key));
        }

        foreach (var key in keys)
        {
            var read = new GrainState<string>();
            await _storage.ReadStateAsync("s", Grain(key), read);
            Assert.Equal(key, read.State);
        }

        var blobs = await _blobs.ListAsync(_layout.GrainStateContainer, null, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(keys.Length, blobs.Count);
        Assert.All(blobs, b => Assert.DoesNotContain("..", b.Key.Name, StringComparison.Ordinal));
        Assert.Single(Directory.GetDirectories(_root));
    }
}
