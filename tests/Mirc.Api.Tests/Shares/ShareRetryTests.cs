using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Sharing;
using Xunit;

namespace Mirc.Api.Tests.Shares;

/// <summary>
/// A share whose recipient is down waits (retrying) and is delivered by its own reminder once the recipient listens,
/// with no further call — on the same host, and across a restart on the same data.
/// </summary>
public sealed class ShareRetryTests
{
    private const string RecipientAe = "RETRY_SCP";

    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Mirc:Sharing:RetryInitialDelay"] = "00:00:01",
        ["Mirc:Sharing:RetryMaxDelay"] = "00:01:00",
        ["Mirc:Sharing:RetryHorizon"] = "01:00:00",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recipient_that_comes_up_gets_the_share_from_its_reminder()
    {
        await using var host = await ShareTestHost.StartAsync(settings: FastRetries);
        var port = ShareTestHost.FreePort();
        var (study, instances) = await StoreStudyAsync(host, port);
        var shareId = await CreateShareAsync(host, study);

        var waiting = await WaitRetryingAsync(host, shareId);
        Assert.Equal(0, waiting.Completed);
        Assert.False(string.IsNullOrEmpty(waiting.Error));
        await using var recipient = await StoreScpProcess.StartAsync(RecipientAe, port, Ct);
        var share = await WaitFinishedAsync(host, shareId);

        Assert.Equal(ShareStatus.Completed, share.Status);
        Assert.Equal(instances.Length, share.Completed);
        Assert.Null(share.Error);
        Assert.All(instances, i => Assert.NotNull(recipient.ReceivedFile(i.SopUid)));
        Assert.Contains(await WaitAuditedAsync(host, shareId), e => e.Outcome == AuditOutcome.Success);
    }

    [Fact]
    public async Task Retrying_share_survives_a_restart_and_is_delivered_when_the_recipient_comes_up()
    {
        var dataPath = Directory.CreateTempSubdirectory("mirc-share-restart-").FullName;
        try
        {
            var port = ShareTestHost.FreePort();
            StudyDescription study;
            SyntheticInstance[] instances;
            string shareId;
            await using (var first = await ShareTestHost.StartAsync(dataPath, settings: FastRetries))
            {
                (study, instances) = await StoreStudyAsync(first, port);
                shareId = await CreateShareAsync(first, study);
                await WaitRetryingAsync(first, shareId);
            }

            await using var recipient = await StoreScpProcess.StartAsync(RecipientAe, port, Ct);
            await using var second = await ShareTestHost.StartAsync(dataPath, settings: FastRetries);
            var share = await WaitFinishedAsync(second, shareId);

            Assert.Equal(ShareStatus.Completed, share.Status);
            Assert.Equal(instances.Length, share.Completed);
            Assert.All(instances, i => Assert.NotNull(recipient.ReceivedFile(i.SopUid)));
            Assert.Empty(await second.Grains.GetGrain<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).GetAllAsync());
            Assert.Contains(await WaitAuditedAsync(second, shareId), e => e.Outcome == AuditOutcome.Success);
        }
        finally
        {
            try { Directory.Delete(dataPath, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Stores a two-instance study and registers the recipient at <paramref name="port"/>, where nothing listens yet.</summary>
    private static async Task<(StudyDescription Study, SyntheticInstance[] Instances)> StoreStudyAsync(ShareTestHost host, int port)
    {
        var study = StudyDescription.Create();
        var instances = new[]
        {
            SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1),
            SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 2, 1),
        };
        using var stored = await host.Http.StowAsync(instances.Select(i => i.Bytes));
        Assert.True(stored.IsSuccessStatusCode);
        await host.Grains.GetGrain<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey)
            .RegisterAsync("recipient-est", new AeTitleEntry(RecipientAe, "127.0.0.1", port, AePermissions.MoveDestination));
        return (study, instances);
    }

    private static async Task<string> CreateShareAsync(ShareTestHost host, StudyDescription study)
    {
        var shareId = Guid.NewGuid().ToString("N");
        await host.Grains.GetGrain<IShareGrain>(shareId).CreateAsync(new ShareRequest
        {
            StudyInstanceUid = study.StudyUid,
            RecipientAeTitle = RecipientAe,
            RecipientEstablishmentId = "recipient-est",
            Reason = "retry",
            RequestedAt = DateTimeOffset.UtcNow,
        });
        return shareId;
    }

    private static Task<ShareSnapshot> WaitRetryingAsync(ShareTestHost host, string shareId) =>
        WaitAsync(host, shareId, s => s is { Status: ShareStatus.Retrying, Attempts: >= 1 });

    private static Task<ShareSnapshot> WaitFinishedAsync(ShareTestHost host, string shareId) => WaitAsync(host, shareId, s => s.IsFinished);

    private static async Task<ShareSnapshot> WaitAsync(ShareTestHost host, string shareId, Func<ShareSnapshot, bool> done)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var share = await host.Grains.GetGrain<IShareGrain>(shareId).GetAsync();
            Assert.NotNull(share);
            if (done(share)) return share;
            await Task.Delay(100, deadline.Token);
        }
    }

    private static async Task<IReadOnlyList<AuditEvent>> WaitAuditedAsync(ShareTestHost host, string shareId)
    {
        for (var attempt = 0; ; attempt++)
        {
            var events = host.Audit.Events.Where(e => e.Detail?.Contains(shareId, StringComparison.Ordinal) == true).ToList();
            if (events.Count > 0 || attempt == 100) return events;
            await Task.Delay(50, Ct);
        }
    }
}
