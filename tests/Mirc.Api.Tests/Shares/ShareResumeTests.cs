using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Sharing;
using Xunit;

namespace Mirc.Api.Tests.Shares;

/// <summary>A share accepted but not run before the host stopped is pushed by the next host on the same data.</summary>
public sealed class ShareResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pending_share_is_resumed_after_a_restart()
    {
        var dataPath = Directory.CreateTempSubdirectory("mirc-share-restart-").FullName;
        try
        {
            await using var recipient = await StoreScpProcess.StartAsync("RESUME_SCP", Ct);
            var study = StudyDescription.Create();
            var instances = new[]
            {
                SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1),
                SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 2, 1),
            };
            var shareId = Guid.NewGuid().ToString("N");
            await using (var first = await ShareTestHost.StartAsync(dataPath))
            {
                using var stored = await first.Http.StowAsync(instances.Select(i => i.Bytes));
                Assert.True(stored.IsSuccessStatusCode);
                await first.Grains.GetGrain<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey)
                    .RegisterAsync("recipient-est", new AeTitleEntry(recipient.AeTitle, "127.0.0.1", recipient.Port, AePermissions.MoveDestination));
                // Recorded by the grain but never handed to this host's worker: as if the host stopped right after accepting it.
                await first.Grains.GetGrain<IShareGrain>(shareId).CreateAsync(new ShareRequest
                {
                    StudyInstanceUid = study.StudyUid,
                    RecipientAeTitle = recipient.AeTitle,
                    RecipientEstablishmentId = "recipient-est",
                    Reason = "resume",
                    RequestedAt = DateTimeOffset.UtcNow,
                });
                Assert.Equal(ShareStatus.Queued, (await first.Grains.GetGrain<IShareGrain>(shareId).GetAsync())!.Status);
            }

            await using var second = await ShareTestHost.StartAsync(dataPath);
            var share = await WaitFinishedAsync(second, shareId);

            Assert.Equal(ShareStatus.Completed, share.Status);
            Assert.Equal(instances.Length, share.Completed);
            Assert.All(instances, i => Assert.NotNull(recipient.ReceivedFile(i.SopUid)));
            Assert.Empty(await second.Grains.GetGrain<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).GetAllAsync());
        }
        finally
        {
            try { Directory.Delete(dataPath, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<ShareSnapshot> WaitFinishedAsync(ShareTestHost host, string shareId)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var share = await host.Grains.GetGrain<IShareGrain>(shareId).GetAsync();
            Assert.NotNull(share);
            if (share.IsFinished) return share;
            await Task.Delay(100, deadline.Token);
        }
    }
}
