using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// Tests of an archive whose change feed is a test decorator (<see cref="ForwardingChangeFeed"/>) and whose blob store
/// goes through <see cref="IngestFaults"/> (counts manifest writes, fails the step a test arms).
/// </summary>
public abstract class DecoratedFeedArchiveTests : IAsyncLifetime
{
    private readonly IngestRequest _request;

    private protected DecoratedFeedArchiveTests(ForwardingChangeFeed feed, string establishmentId)
    {
        Feed = feed;
        Archive = new ArchiveCluster { ChangeFeed = feed, DecorateBlobStore = Faults.Decorate };
        _request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishmentId } };
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected ForwardingChangeFeed Feed { get; }

    private protected IngestFaults Faults { get; } = new();

    private protected ArchiveCluster Archive { get; }

    public ValueTask InitializeAsync() => Archive.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await Archive.DisposeAsync();
        await Feed.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms; fails naming <paramref name="what"/> after 30 s.</summary>
    private protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(10, Ct);
        }
    }

    private protected static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private protected async Task<IngestOutcome> IngestAsync(SyntheticInstance instance)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await Archive.Ingestor.IngestAsync(stream, _request, Ct);
    }
}
