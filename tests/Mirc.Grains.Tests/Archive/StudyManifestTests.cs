using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage;
using Mirc.Grains.Studies;
using Mirc.Grains.Tests.Storage;
using Orleans.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>An <see cref="ArchiveCluster"/> whose blob store counts small writes.</summary>
public sealed class CountingArchiveCluster : IAsyncLifetime
{
    private CountingBlobStore? _counter;

    public ArchiveCluster Archive { get; } = new();

    internal CountingBlobStore Counter => _counter!;

    public async ValueTask InitializeAsync()
    {
        Archive.Settings["Mirc:Archive:Manifest:SegmentSize"] = "50";
        Archive.DecorateBlobStore = inner => _counter = new CountingBlobStore(inner);
        await Archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => Archive.DisposeAsync();
}

public sealed class StudyManifestTests(CountingArchiveCluster fixture) : IClassFixture<CountingArchiveCluster>
{
    private static InstanceEntry Entry(string study, string series, int number) => new()
    {
        StudyInstanceUid = study,
        SeriesInstanceUid = series,
        SopInstanceUid = $"{study}.{number}",
        SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
        TransferSyntaxUid = "1.2.840.10008.1.2.1",
        BlobContainer = "mirc-instances-00",
        BlobName = $"{study}/{series}/{study}.{number}.dcm",
        Size = 525_000,
        Digest = Xxh128.Of(BitConverter.GetBytes(number)),
        InstanceNumber = number,
        Frames = new FrameLayout { FrameCount = 1, PixelDataOffset = 1200, PixelDataLength = 524_288, NativeFrameLength = 524_288 },
        ReceivedAt = DateTimeOffset.UtcNow,
        EstablishmentId = "EST",
    };

    /// <summary>How the study UID appears in grain-state blob names (percent-encoded dots).</summary>
    private static string StateKey(string study) => study.Replace(".", "%2E", StringComparison.Ordinal);

    private static StudyAttributes Attributes(string modality = "CT") => new() { PatientId = "P1", Modality = modality, StudyDate = "20261124" };

    /// <summary>Adds the instances, then waits until the manifest holds them durably (it is written behind the answer).</summary>
    private static async Task AddWrittenAsync(IStudyGrain grain, IEnumerable<InstanceEntry> entries)
    {
        var added = entries.ToArray();
        var results = await Task.WhenAll(added.Select(e => grain.AddInstanceAsync(e, Attributes())));
        Assert.All(results, r => Assert.Equal(AddInstanceStatus.Added, r.Status));
        await Task.WhenAll(added.Select(e => grain.WhenManifestWrittenAsync(e.SopInstanceUid, e.Digest)));
    }

    /// <summary>After a fresh activation (from storage alone), the study holds exactly the instances numbered <paramref name="numbers"/>, in order.</summary>
    private async Task AssertHeldAfterReactivationAsync(IStudyGrain grain, IEnumerable<int> numbers)
    {
        var expected = numbers.ToArray();
        await fixture.Archive.DeactivateAsync(grain);
        Assert.Equal(expected, (await grain.GetInstancesAsync()).Select(e => e.InstanceNumber!.Value));
        Assert.Equal(expected.Length, (await grain.GetSummaryAsync()).InstanceCount);
    }

    /// <summary>A new study of one series, and its grain.</summary>
    private (string Study, string Series, IStudyGrain Grain) NewStudy()
    {
        var study = SyntheticInstance.NewUid();
        return (study, SyntheticInstance.NewUid(), fixture.Archive.Grains.GetGrain<IStudyGrain>(study));
    }

    /// <summary>The names of the study's grain-state records written since write number <paramref name="since"/>, by state.</summary>
    private string[] StatesWritten(string study, int since) =>
        fixture.Counter.SmallWrites.Skip(since).Select(w => w.Key.Name)
            .Where(name => name.Contains(StateKey(study), StringComparison.Ordinal))
            .Select(name => name[..name.IndexOf('/', StringComparison.Ordinal)])
            .ToArray();

    [Fact]
    public async Task A_study_of_one_segment_is_one_record_and_the_next_segments_are_records_of_their_own()
    {
        var (study, series, grain) = NewStudy();
        var before = fixture.Counter.SmallWrites.Count;

        await AddWrittenAsync(grain, [Entry(study, series, 1)]);
        await AddWrittenAsync(grain, [Entry(study, series, 2), Entry(study, series, 3)]);

        // The summary holds the first segment: every commit writes that one record, and an activation reads only it.
        Assert.NotEmpty(StatesWritten(study, before));
        Assert.All(StatesWritten(study, before), state => Assert.Equal("study", state));
        await fixture.Archive.DeactivateAsync(grain);
        var readsBefore = fixture.Counter.WholeReads.Count;
        Assert.Equal(3, (await grain.GetInstancesAsync()).Count);
        var read = fixture.Counter.WholeReads.Skip(readsBefore).Where(k => k.Name.Contains(StateKey(study), StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(read);
        Assert.All(read, k => Assert.StartsWith("study/", k.Name, StringComparison.Ordinal));

        // Past the first segment (50 entries here) the next one is a record of its own; the first stays in the summary.
        before = fixture.Counter.SmallWrites.Count;
        await AddWrittenAsync(grain, Enumerable.Range(4, 60).Select(i => Entry(study, series, i)));
        var states = StatesWritten(study, before);
        Assert.Contains("manifest-1", states);
        Assert.DoesNotContain("manifest-0", states);
        await AssertHeldAfterReactivationAsync(grain, Enumerable.Range(1, 63));
    }

    [Fact]
    public async Task A_study_stored_before_keeps_its_first_segment_as_a_record_of_its_own()
    {
        // Written as the previous version wrote it: a summary naming one segment, the segment in the record manifest-0.
        var (study, series, grain) = NewStudy();
        var storage = fixture.Archive.Services.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive);
        var stored = Enumerable.Range(1, 3).Select(i => Entry(study, series, i)).ToList();
        await storage.WriteStateAsync("manifest-0", grain.GetGrainId(), new GrainState<ManifestSegmentState>(new ManifestSegmentState { Entries = stored }));
        await storage.WriteStateAsync("study", grain.GetGrainId(), new GrainState<StudyState>(new StudyState
        {
            Status = StudyStatus.Receiving,
            PatientId = "P1",
            EstablishmentId = "EST",
            StudyDate = "20261124",
            Series = [new SeriesSummary { SeriesInstanceUid = series, Modality = "CT" }],
            SegmentCount = 1,
            FirstReceivedAt = stored[0].ReceivedAt,
        }));

        Assert.Equal(3, (await grain.GetInstancesAsync()).Count);
        var before = fixture.Counter.SmallWrites.Count;
        await AddWrittenAsync(grain, [Entry(study, series, 4)]);

        Assert.Equal(["manifest-0"], StatesWritten(study, before));
        await AssertHeldAfterReactivationAsync(grain, [1, 2, 3, 4]);
    }

    [Fact]
    public async Task Bytes_written_per_instance_do_not_grow_with_the_study_size()
    {
        var (study, series, grain) = NewStudy();
        var perAdd = new List<int>();
        for (var i = 1; i <= 400; i++)
        {
            var before = fixture.Counter.SmallWrites.Count;
            Assert.Equal(AddInstanceStatus.Added, (await grain.AddInstanceAsync(Entry(study, series, i), Attributes())).Status);
            perAdd.Add(fixture.Counter.SmallWrites.Skip(before).Where(w => w.Key.Name.Contains(StateKey(study), StringComparison.Ordinal)).Sum(w => w.Bytes));
        }

        // Segments hold 50 entries: the writes of instances 351–400 rewrite only the last segment, never the whole manifest.
        var firstSegmentMax = perAdd.Take(50).Max();
        var lastSegmentMax = perAdd.Skip(350).Max();
        var bytesPerEntry = perAdd[49] / 50.0;
        Assert.InRange(lastSegmentMax, 1, firstSegmentMax * 12 / 10);
        Assert.True(perAdd[^1] < bytesPerEntry * 400 / 4, $"last write {perAdd[^1]} B vs whole manifest ≈ {bytesPerEntry * 400:F0} B");
        Assert.Equal(400, (await grain.GetSummaryAsync()).InstanceCount);
    }

    [Fact]
    public async Task Concurrent_adds_are_group_committed_and_all_durable()
    {
        var (study, series, grain) = NewStudy();
        var before = fixture.Counter.SmallWrites.Count;

        var results = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => grain.AddInstanceAsync(Entry(study, series, i), Attributes())));

        Assert.All(results, r => Assert.Equal(AddInstanceStatus.Added, r.Status));
        var writes = fixture.Counter.SmallWrites.Skip(before).Count(w => w.Key.Name.Contains(StateKey(study), StringComparison.Ordinal));
        Assert.True(writes < 100, $"{writes} state writes for 200 concurrent adds: expected batching");
        await fixture.Archive.DeactivateAsync(grain);
        Assert.Equal(200, (await grain.GetInstancesAsync()).Count);
    }

    [Fact]
    public async Task Concurrent_adds_of_the_same_instance_record_it_once()
    {
        var (study, series, grain) = NewStudy();
        var others = Enumerable.Range(1, 20).Select(i => grain.AddInstanceAsync(Entry(study, series, i), Attributes()));
        var duplicates = Enumerable.Range(0, 10).Select(_ => grain.AddInstanceAsync(Entry(study, series, 7), Attributes()));

        var results = await Task.WhenAll(others.Concat(duplicates));

        Assert.Equal(20, results.Count(r => r.Status == AddInstanceStatus.Added));
        Assert.Equal(10, results.Count(r => r.Status == AddInstanceStatus.AlreadyStored));
        await fixture.Archive.DeactivateAsync(grain);
        Assert.Equal(20, (await grain.GetInstancesAsync()).Count);
    }

    [Fact]
    public async Task Instances_come_back_in_series_then_instance_number_order()
    {
        var study = SyntheticInstance.NewUid();
        var s1 = SyntheticInstance.NewUid();
        var s2 = SyntheticInstance.NewUid();
        var grain = fixture.Archive.Grains.GetGrain<IStudyGrain>(study);
        foreach (var (series, number) in new[] { (s1, 3), (s2, 2), (s1, 1), (s2, 1), (s1, 2) })
        {
            var entry = Entry(study, series, number) with { SopInstanceUid = $"{study}.{series[^3..]}.{number}".Replace("..", ".", StringComparison.Ordinal) };
            await grain.AddInstanceAsync(entry, Attributes(series == s1 ? "CT" : "SR"));
        }

        var ordered = await grain.GetInstancesAsync();

        Assert.Equal([(s1, 1), (s1, 2), (s1, 3), (s2, 1), (s2, 2)], ordered.Select(e => (e.SeriesInstanceUid, e.InstanceNumber!.Value)));
        Assert.Equal(2, (await grain.GetInstancesAsync(s2)).Count);
        var summary = await grain.GetSummaryAsync();
        Assert.Equal(["CT", "SR"], summary.Modalities);
        Assert.Equal(StudyStatus.Receiving, summary.Status);
    }

    [Fact]
    public async Task Deleted_study_hides_its_instances_and_refuses_new_ones()
    {
        var (study, series, grain) = NewStudy();
        await grain.AddInstanceAsync(Entry(study, series, 1), Attributes());

        await grain.DeleteAsync("test", "test");

        Assert.Empty(await grain.GetInstancesAsync());
        Assert.Equal(AddInstanceStatus.StudyDeleted, (await grain.AddInstanceAsync(Entry(study, series, 2), Attributes())).Status);
        Assert.Equal(ReservationStatus.StudyDeleted, (await grain.ReserveInstanceAsync($"{study}.3", "00")).Status);
    }
}
