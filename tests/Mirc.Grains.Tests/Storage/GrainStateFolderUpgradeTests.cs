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

/// <summary>
/// The embedded default's grain-state folders: records fanned out over 256 folders per state, and a data folder of the
/// flat layout (as written until 2026-12-06) moved to it as the silo starts.
/// </summary>
public sealed class GrainStateFolderUpgradeTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("grainstate-upgrade");
    private readonly FileSystemBlobStore _blobs;
    private readonly InstanceBlobLayout _layout = new("mirc", 4);
    private readonly ServiceProvider _services;
    private readonly Serializer _serializer;
    private readonly BlobGrainStorage _flat;
    private readonly BlobGrainStorage _fannedOut;
    private readonly GrainStateFolderUpgrade _upgrade;

    public GrainStateFolderUpgradeTests()
    {
        _blobs = new FileSystemBlobStore(_root);
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _serializer = _services.GetRequiredService<Serializer>();
        _flat = new BlobGrainStorage("archive", _blobs, _layout, _serializer, NullLogger<BlobGrainStorage>.Instance);
        _fannedOut = new BlobGrainStorage("archive", _blobs, _layout, _serializer, NullLogger<BlobGrainStorage>.Instance, names: GrainStateRecordNames.FannedOut);
        _upgrade = new GrainStateFolderUpgrade(_blobs, _layout, NullLogger<GrainStateFolderUpgrade>.Instance);
    }

    public void Dispose()
    {
        _services.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GrainId Study(string key) => GrainId.Create("study", key);

    private BlobKey Key(string name) => new(_layout.GrainStateContainer, name);

    private async Task<string?> ReadAsync(IGrainStorage storage, string stateName, GrainId grain)
    {
        var state = new GrainState<string>();
        await storage.ReadStateAsync(stateName, grain, state);
        return state.RecordExists ? state.State : null;
    }

    private async Task<List<string>> NamesAsync() =>
        (await _blobs.ListAsync(_layout.GrainStateContainer, null, Ct).ToListAsync(Ct)).Select(b => b.Key.Name).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Records_spread_over_256_folders_per_state_and_are_read_with_one_lookup()
    {
        for (var i = 0; i < 2_000; i++)
        {
            await _fannedOut.WriteStateAsync("study", Study($"1.2.840.{i}"), new GrainState<string>("s" + i));
        }

        var folders = (await NamesAsync()).Select(n => n.Split('/')).ToList();
        Assert.All(folders, parts => Assert.Equal(4, parts.Length));
        // 2,000 names over 256 folders (~7.8 each): nearly all used, none with more than ~3× its share.
        var perFolder = folders.GroupBy(parts => parts[2]).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(perFolder.Count, 240, 256);
        Assert.All(perFolder.Keys, folder => Assert.Matches("^[0-9a-f]{2}$", folder));
        Assert.InRange(perFolder.Values.Max(), 1, 24);
        Assert.Equal("s1234", await ReadAsync(_fannedOut, "study", Study("1.2.840.1234")));

        // A new grain's read asks for one name only (the flat layout asks for two: framed and former).
        var counting = new Archive.CountingBlobStore(_blobs);
        var storage = new BlobGrainStorage("archive", counting, _layout, _serializer, NullLogger<BlobGrainStorage>.Instance, names: GrainStateRecordNames.FannedOut);
        Assert.Null(await ReadAsync(storage, "study", Study("1.2.840.new")));
        Assert.Single(counting.WholeReads);
    }

    [Theory]
    // Names the silo wrote (make-data-folder.sh at 3871efe): the folder of a key is fixed for the life of an archive.
    [InlineData("identity", "patientidentityindex", "750000001||PAT-UPG-1", "identity/patientidentityindex/e8/750000001%7C%7CPAT-UPG-1.rec")]
    [InlineData("identity", "patientidentityindex", "750000001||PAT-UPG-2", "identity/patientidentityindex/d6/750000001%7C%7CPAT-UPG-2.rec")]
    [InlineData("establishments", "establishmentdirectory", "region", "establishments/establishmentdirectory/0d/region.rec")]
    public void A_key_keeps_its_folder(string stateName, string grainType, string key, string expected) =>
        Assert.Equal(expected, GrainStateBlobNaming.FannedOutKeyFor(_layout.GrainStateContainer, stateName, GrainId.Create(grainType, key)).Name);

    [Fact]
    public async Task A_flat_folder_is_moved_to_the_fanned_out_layout_once_and_every_state_reads_as_before()
    {
        // As the former version left them: framed records, a record of the unframed form before it, other writers' files.
        await _flat.WriteStateAsync("study", Study("1.2.3"), new GrainState<string>("study 1.2.3"));
        await _flat.WriteStateAsync("patient", GrainId.Create("patient", "01ABC"), new GrainState<string>("patient 01ABC"));
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "study", Study("1.2.4")), _serializer.SerializeToArray("unframed 1.2.4"), null, Ct);
        string[] others = ["reminder-table/rows.json", "security/signing-keys.json", "security/data-protection/key-1.xml", "changefeed/000000000000.json"];
        foreach (var other in others)
        {
            await _blobs.WriteIfMatchAsync(Key(other), "kept"u8.ToArray(), null, Ct);
        }

        Assert.Equal(3, await _upgrade.UpgradeAsync(Ct));

        Assert.Equal("study 1.2.3", await ReadAsync(_fannedOut, "study", Study("1.2.3")));
        Assert.Equal("patient 01ABC", await ReadAsync(_fannedOut, "patient", GrainId.Create("patient", "01ABC")));
        Assert.Equal("unframed 1.2.4", await ReadAsync(_fannedOut, "study", Study("1.2.4")));
        var names = await NamesAsync();
        string[] expected =
        [
            .. others, GrainStateFolderUpgrade.MarkerName,
            GrainStateBlobNaming.FannedOutKeyFor(_layout.GrainStateContainer, "patient", GrainId.Create("patient", "01ABC")).Name,
            GrainStateBlobNaming.FannedOutKeyFor(_layout.GrainStateContainer, "study", Study("1.2.3")).Name,
            GrainStateBlobNaming.FannedOutKeyFor(_layout.GrainStateContainer, "study", Study("1.2.4")).Name,
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names);

        // The marker: later starts list nothing, even if a flat name appeared (only an earlier version would write one).
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.FramedKeyFor(_layout.GrainStateContainer, "study", Study("9.9")), GrainStateRecordFrame.Wrap(_serializer.SerializeToArray("late")), null, Ct);
        Assert.Equal(0, await _upgrade.UpgradeAsync(Ct));
        Assert.Null(await ReadAsync(_fannedOut, "study", Study("9.9")));
    }

    [Fact]
    public async Task Two_silos_starting_on_the_same_folder_upgrade_it_together()
    {
        // A test cluster's silos share one folder: each lists the flat records and renames them; a record the other
        // silo moved first is done, not a failed start.
        for (var i = 0; i < 500; i++)
        {
            await _flat.WriteStateAsync("study", Study($"1.2.840.{i}"), new GrainState<string>("s" + i));
        }

        var other = new GrainStateFolderUpgrade(_blobs, _layout, NullLogger<GrainStateFolderUpgrade>.Instance);
        await Task.WhenAll(Task.Run(() => _upgrade.UpgradeAsync(Ct), Ct), Task.Run(() => other.UpgradeAsync(Ct), Ct));

        Assert.Equal(501, (await NamesAsync()).Count); // the records and the marker
        Assert.Equal("s321", await ReadAsync(_fannedOut, "study", Study("1.2.840.321")));
    }

    [Fact]
    public async Task A_grain_with_both_forms_keeps_what_reads_preferred_and_an_interrupted_upgrade_finishes()
    {
        // Both forms, the framed one whole: it is the newer state. Both forms, the framed one torn by a crash during
        // its first write: the unframed one is the acknowledged state (BlobGrainStorage's rule).
        var both = Study("1.2.both");
        var torn = Study("1.2.torn");
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "study", both), _serializer.SerializeToArray("older"), null, Ct);
        await _flat.WriteStateAsync("study", both, new GrainState<string>("newer"));
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "study", torn), _serializer.SerializeToArray("acknowledged"), null, Ct);
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.FramedKeyFor(_layout.GrainStateContainer, "study", torn), new byte[40], null, Ct);

        // An upgrade cut after its renames and one reframing: a former record left beside its fanned-out copy, no marker.
        var cut = Study("1.2.cut");
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.KeyFor(_layout.GrainStateContainer, "study", cut), _serializer.SerializeToArray("reframed"), null, Ct);
        await _blobs.WriteIfMatchAsync(GrainStateBlobNaming.FannedOutKeyFor(_layout.GrainStateContainer, "study", cut), GrainStateRecordFrame.Wrap(_serializer.SerializeToArray("reframed")), null, Ct);

        Assert.Equal(5, await _upgrade.UpgradeAsync(Ct));

        Assert.Equal("newer", await ReadAsync(_fannedOut, "study", both));
        Assert.Equal("acknowledged", await ReadAsync(_fannedOut, "study", torn));
        Assert.Equal("reframed", await ReadAsync(_fannedOut, "study", cut));
        Assert.All(await NamesAsync(), name => Assert.True(name == GrainStateFolderUpgrade.MarkerName || name.Split('/').Length == 4, name));
    }
}
