using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Ingest;
using Mirc.Grains.Retention;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// A silo shut down while its follower is inside a projection: the grains that projection calls can no longer be placed
/// ("No active nodes are compatible with grain retentionbucket" in a real shutdown). That is the shutdown, not a failed
/// projection: no error is logged, and the checkpoint stays where the next start resumes.
/// </summary>
public sealed class ChangeFeedFollowerShutdownTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shutdown_during_a_projection_is_logged_as_a_stop_not_as_a_failed_projection()
    {
        var bucketCalls = new HeldUntilShutdown();
        var archive = new ArchiveCluster { CallFilter = bucketCalls };
        archive.Settings["Mirc:ChangeFeed:Follower:Enabled"] = "true";
        archive.Settings["Mirc:ChangeFeed:Follower:PollInterval"] = "00:00:00.100";
        await using (archive)
        {
            await archive.InitializeAsync();
            bucketCalls.Stopping = archive.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var instance = new SyntheticInstance { PatientId = "FOLLOW-STOP" };
            using (var stream = new MemoryStream(instance.ToPart10()))
            {
                Assert.True((await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-STOP" } }, Ct)).IsSuccess);
            }

            // The retention projection reached the study's bucket and waits there; the silo stops meanwhile.
            await bucketCalls.Reached.WaitAsync(Bound, Ct);
        }

        Assert.True(bucketCalls.Refused, "the bucket call was held until the shutdown and then refused");
        var follower = archive.Logs.GetSnapshot().Where(e => e.Category == typeof(ChangeFeedFollowerGrain).FullName).ToArray();
        Assert.DoesNotContain(follower, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>Holds calls to retention buckets until the host stops, then refuses them as a stopping silo's placement does.</summary>
    private sealed class HeldUntilShutdown : IIncomingGrainCallFilter
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Stopping { get; set; }

        public Task Reached => _reached.Task;

        public bool Refused { get; private set; }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType != typeof(IRetentionBucketGrain))
            {
                await context.Invoke();
                return;
            }

            _reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, Stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Refused = true;
            throw new OrleansException("No active nodes are compatible with grain retentionbucket (the silo is stopping)");
        }
    }
}
