using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// A conditional write whose response is lost after the storage applied it (connection reset, Azurite or a storage
/// front end restarting) is retried by the client and meets its own write: it must be recognised as a success, not
/// reported as a conflict — and a real concurrent change must still be one.
/// </summary>
public sealed class AzureRetriedWriteTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_create_whose_response_was_lost_succeeds_on_its_retry()
    {
        var (store, losses) = StoreLosingFirstResponseTo("journal-create");
        var key = new BlobKey("retried-writes", $"journal-create-{Guid.NewGuid():N}");

        var etag = await store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("segment 1"), expected: null, TestContext.Current.CancellationToken);

        Assert.Single(losses);
        var stored = await store.TryReadAllAsync(key, TestContext.Current.CancellationToken);
        Assert.Equal("segment 1", Encoding.UTF8.GetString(stored!.Content.Span));
        Assert.Equal(stored.ETag, etag);
    }

    [Fact]
    public async Task An_update_whose_response_was_lost_succeeds_on_its_retry_and_returns_the_current_version()
    {
        var plain = new AzureBlobStore(azurite.CreateServiceClient());
        var key = new BlobKey("retried-writes", $"chain-update-{Guid.NewGuid():N}");
        var first = await plain.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("head 1"), null, TestContext.Current.CancellationToken);
        var (store, losses) = StoreLosingFirstResponseTo("chain-update");

        var second = await store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("head 2"), first, TestContext.Current.CancellationToken);

        Assert.Single(losses);
        Assert.NotEqual(first, second);
        // The version handed back is the live one: the next conditional write builds on it.
        await plain.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("head 3"), second, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_stale_write_of_other_content_is_still_a_conflict()
    {
        var store = new AzureBlobStore(azurite.CreateServiceClient());
        var key = new BlobKey("retried-writes", $"stale-{Guid.NewGuid():N}");
        var first = await store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("v1"), null, TestContext.Current.CancellationToken);
        await store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("v2 by another silo"), first, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<BlobConcurrencyException>(() =>
            store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("v2 by us"), first, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<BlobConcurrencyException>(() =>
            store.WriteIfMatchAsync(key, Encoding.UTF8.GetBytes("v1"), null, TestContext.Current.CancellationToken));
    }

    private (AzureBlobStore Store, List<string> Losses) StoreLosingFirstResponseTo(string blobNamePrefix)
    {
        var losses = new List<string>();
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.Mode = RetryMode.Fixed;
        options.AddPolicy(new LoseFirstPutResponse(blobNamePrefix, losses), HttpPipelinePosition.PerRetry);
        return (new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString, options)), losses);
    }

    /// <summary>Lets the first PUT of a matching blob reach the storage, then fails as if the connection had dropped.</summary>
    internal sealed class LoseFirstPutResponse(string blobNamePrefix, List<string> losses) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Lose(message);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Lose(message);
        }

        private void Lose(HttpMessage message)
        {
            var path = message.Request.Uri.Path;
            if (message.Request.Method != RequestMethod.Put || !path.Contains("/" + blobNamePrefix, StringComparison.Ordinal)) return;
            lock (losses)
            {
                if (losses.Count > 0) return;
                losses.Add(path);
            }
            throw new IOException("connection reset after the storage applied the write");
        }
    }
}
