using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mirc.Grains.Observability;
using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

public sealed class SharedSyncCommitPolicyTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("syncfs");

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_root);

    [Fact]
    public async Task Concurrent_callers_share_rounds_and_all_complete()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        using var policy = new SharedSyncCommitPolicy(_root);
        var waits = Enumerable.Range(0, 500).Select(_ => Task.Run(policy.PersistAllAsync)).ToList();
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.All(waits, w => Assert.True(w.IsCompletedSuccessfully));

        // The round thread is released after each burst: a later caller still gets a round.
        var third = policy.PersistAllAsync();
        await third.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Callers_arriving_during_a_round_share_the_next_one()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        var ct = TestContext.Current.CancellationToken;
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var rounds = 0;
        using var policy = new SharedSyncCommitPolicy(_root, _ =>
        {
            if (Interlocked.Increment(ref rounds) == 1)
            {
                // The first round hangs on the device until released.
                started.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return 0;
        });

        var first = policy.PersistAllAsync();
        Assert.True(started.Wait(TimeSpan.FromSeconds(10), ct));

        // Called after the running round began, so it does not cover them: they wait for the next, all together.
        var waiting = Enumerable.Range(0, 20).Select(_ => policy.PersistAllAsync()).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        release.Set();
        await Task.WhenAll(waiting.Append(first)).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(2, Volatile.Read(ref rounds));
    }

    [Fact]
    public async Task Disposing_while_rounds_are_wanted_serves_every_accepted_caller_and_returns()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        var policy = new SharedSyncCommitPolicy(_root);
        var accepted = new List<Task>();
        for (var i = 0; i < 50; i++)
        {
            accepted.Add(policy.PersistAllAsync());
            await Task.Yield();
        }

        // A round may be running and another pending: both are served, then the round thread stops.
        await Task.Run(policy.Dispose, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.All(accepted, w => Assert.True(w.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task A_disposed_policy_refuses_new_callers()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        var policy = new SharedSyncCommitPolicy(_root);
        policy.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(policy.PersistAllAsync);
    }

    [Fact]
    public async Task A_failed_round_fails_its_callers_and_every_round_is_timed()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        var ct = TestContext.Current.CancellationToken;
        var rounds = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ArchiveMetrics.MeterName && instrument.Name == "mirc.storage.flush_round.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => rounds.Add(seconds));
        listener.Start();

        // A device that takes half a second and then fails (EIO from a dying disk, say).
        using var policy = new SharedSyncCommitPolicy(_root, _ =>
        {
            Thread.Sleep(500);
            return -1;
        });

        var error = await Assert.ThrowsAsync<IOException>(() => policy.PersistAllAsync().WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Contains("may not be durable", error.Message, StringComparison.Ordinal);
        // Other tests' rounds may be measured meanwhile (the meter is process-wide): this one took at least its half second.
        Assert.Contains(rounds, seconds => seconds >= 0.5);
    }

    [Fact]
    public void A_missing_root_is_a_clear_error()
    {
        Assert.SkipUnless(SharedSyncCommitPolicy.IsSupported, "syncfs(2) is Linux only");
        var error = Assert.Throws<IOException>(() => new SharedSyncCommitPolicy(Path.Combine(_root, "missing")));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
