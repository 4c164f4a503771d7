using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Storage;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// Azure mode (Azurite): an instance's bytes are written once, at their final name — no staged upload, no server-side
/// copy, no existence check of its own for a blob of one request — while a re-send or a different data set under a stored
/// SOP Instance UID never touches the stored blob.
/// </summary>
public sealed class WriteOnceOnAzureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly IngestRequest Request = new() { Caller = new IngestCaller { EstablishmentId = "750000021" } };
    private readonly RequestLog _requests = new();
    private readonly ArchiveCluster _archive = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Storage:Provider"] = "Azure";
        _archive.Settings["Mirc:Storage:ConnectionString"] = azurite.ConnectionString;
        _archive.Settings["Mirc:Storage:ContainerPrefix"] = "wo" + Guid.NewGuid().ToString("N")[..10];
        var options = new BlobClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        var client = new BlobServiceClient(azurite.ConnectionString, options);
        _archive.DecorateBlobStore = _ => new AzureBlobStore(client);
        await _archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    [Theory]
    [InlineData(16, false)] // one Put Blob
    [InlineData(16, true)] // a C-STORE's bare data set: the file meta written before it
    [InlineData(1500, false)] // 4.5 MB: blocks, committed by one Put Block List
    public async Task A_new_instance_is_written_once_at_its_final_name(int size, bool cstore)
    {
        var instance = new SyntheticInstance { PatientId = $"ONCE-{size}-{cstore}", Rows = size, Columns = size };
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        _requests.Clear();

        var outcome = cstore
            ? await DuplicateDatasetTests.IngestAsync(_archive, instance.ToDataset(), DuplicateDatasetTests.Cstore(instance, "MODALITY_A"))
            : await IngestAsync(instance.ToPart10());
        var requests = _requests.All; // the store's own, before this test reads the blob
        var bytes = await ReadAsync(finalKey);

        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.Equal((finalKey.Container, finalKey.Name), (outcome.Instance!.BlobContainer, outcome.Instance.BlobName));
        Assert.DoesNotContain(requests, r => r.Copy);
        // Into the staging container only the journal's intent goes (and its slot's release).
        var staging = '/' + _archive.Layout.StagingContainer + '/';
        Assert.All(requests.Where(r => r.Method == "PUT" && r.Path.Contains(staging, StringComparison.Ordinal)), r => Assert.Contains(staging + "journal/", r.Path, StringComparison.Ordinal));
        var atFinalName = requests.Where(r => Uri.UnescapeDataString(r.Path).EndsWith('/' + finalKey.Name, StringComparison.Ordinal)).ToList();
        Assert.Contains(atFinalName, r => r.Method == "PUT");
        // One request: the put is conditional on a free name, no check of its own; blocks are staged where they commit,
        // so the name is checked once before them.
        Assert.Equal(size < 1000 ? ["PUT"] : ["HEAD", "PUT", "PUT", "PUT"], atFinalName.Select(r => r.Method));
        Assert.Equal(cstore ? instance.ToDataset() : instance.ToPart10(), cstore ? bytes[^instance.ToDataset().Length..] : bytes);
        Assert.Equal(outcome.Instance.Digest, Xxh128.Of(bytes));
        Assert.Empty(await StagedUploadsAsync());
        Assert.Equal(outcome.Instance, await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
    }

    [Fact]
    public async Task A_resend_or_another_data_set_under_a_stored_uid_leaves_the_stored_blob_as_it_was()
    {
        var instance = new SyntheticInstance { PatientId = "ONCE-AGAIN" };
        var first = await IngestAsync(instance.ToPart10());
        var finalKey = new BlobKey(first.Instance!.BlobContainer, first.Instance.BlobName);
        var stored = await _archive.Blobs.TryGetPropertiesAsync(finalKey, Ct);

        var again = await IngestAsync(instance.ToPart10());
        var other = await IngestAsync((instance with { PixelSeed = 7 }).ToPart10());

        Assert.Equal(IngestStatus.Stored, first.Status);
        Assert.Equal(IngestStatus.AlreadyStored, again.Status);
        Assert.Equal(IngestStatus.DuplicateConflict, other.Status);
        Assert.Equal(stored, await _archive.Blobs.TryGetPropertiesAsync(finalKey, Ct));
        Assert.Equal(instance.ToPart10(), await ReadAsync(finalKey));
        Assert.Empty(await StagedUploadsAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Over_a_lost_blob_the_same_bytes_put_it_back_and_other_bytes_leave_nothing(bool otherBytes)
    {
        var instance = new SyntheticInstance { PatientId = "ONCE-LOST-" + otherBytes };
        var first = await IngestAsync(instance.ToPart10());
        var finalKey = new BlobKey(first.Instance!.BlobContainer, first.Instance.BlobName);
        await _archive.Blobs.DeleteAsync(finalKey, null, Ct);

        var again = await IngestAsync((otherBytes ? instance with { PixelSeed = 9 } : instance).ToPart10());

        // The final name was free, so written there; the manifest names it: kept only when it holds the stored bytes.
        Assert.Equal(otherBytes ? IngestStatus.DuplicateConflict : IngestStatus.AlreadyStored, again.Status);
        if (otherBytes)
        {
            Assert.Null(await _archive.Blobs.TryGetPropertiesAsync(finalKey, Ct));
        }
        else
        {
            Assert.Equal(instance.ToPart10(), await ReadAsync(finalKey));
        }

        Assert.Equal(first.Instance, await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
    }

    private async Task<IngestOutcome> IngestAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return await _archive.Ingestor.IngestAsync(stream, Request, Ct);
    }

    private async Task<byte[]> ReadAsync(BlobKey key)
    {
        await using var content = await _archive.Blobs.OpenReadAsync(key, null, Ct);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private async Task<List<BlobProperties>> StagedUploadsAsync() =>
        await _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, null, Ct).Where(b => InstanceBlobLayout.IsStagedUpload(b.Key.Name)).ToListAsync(Ct);

    /// <summary>Every request the Azure SDK sends: method, path, and whether it is a server-side copy.</summary>
    private sealed class RequestLog : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<(string Method, string Path, bool Copy)> _requests = new();

        public IReadOnlyList<(string Method, string Path, bool Copy)> All => _requests.ToArray();

        public void Clear() => _requests.Clear();

        public override void OnSendingRequest(HttpMessage message)
        {
            var request = message.Request;
            _requests.Enqueue((request.Method.Method, request.Uri.Path, request.Headers.TryGetValue("x-ms-copy-source", out _)));
        }
    }
}
