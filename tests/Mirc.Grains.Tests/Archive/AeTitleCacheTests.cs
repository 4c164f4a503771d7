using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Establishments;
using Mirc.Grains.Interfaces.Dimse;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// The AE title lookup of every DICOM association is served from the silo's cache, and a change still applies at once:
/// a new title is found (unknown titles are not cached), a moved title is refused by its former establishment's proxy
/// (which re-reads its configuration), forgotten, and then found under its new establishment.
/// </summary>
public sealed class AeTitleCacheTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private static EstablishmentProfile Profile(string id, params string[] aeTitles) => new()
    {
        EstablishmentId = id,
        Name = "Centre " + id,
        AeTitles = aeTitles.Select(t => new AeTitleEntry(t, "127.0.0.1", 104, AePermissions.Store)).ToArray(),
        RetentionYears = 20,
    };

    [Fact]
    public async Task Lookups_are_cached_and_a_moved_title_is_refused_then_found_under_its_new_establishment()
    {
        var ct = TestContext.Current.CancellationToken;
        IAeTitleDirectory directory = new AeTitleRegistryDirectory(archive.Services.GetRequiredService<AeTitleResolver>());
        var a = archive.Grains.GetGrain<IEstablishmentGrain>("750200001");
        var b = archive.Grains.GetGrain<IEstablishmentGrain>("750200002");

        Assert.Null(await directory.FindEstablishmentAsync("CACHE_CT", ct));
        await a.SaveAsync(Profile("750200001", "CACHE_CT"));
        Assert.Equal("750200001", await directory.FindEstablishmentAsync("CACHE_CT", ct)); // not a cached "unknown"

        archive.Calls.Reset();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("750200001", await directory.FindEstablishmentAsync("CACHE_CT", ct));
        }

        Assert.DoesNotContain(archive.Calls.Snapshot(), c => c.Key.Contains("IAeTitleRegistryGrain", StringComparison.Ordinal));

        // Moved to another establishment: the cache still names the former one, whose proxy refuses the association.
        await a.RemoveAeTitleAsync("CACHE_CT");
        await b.SaveAsync(Profile("750200002", "CACHE_CT"));
        var stale = await directory.FindEstablishmentAsync("CACHE_CT", ct);
        Assert.Equal("750200001", stale);
        var grant = await archive.Grains.GetGrain<IDicomProxyGrain>(stale!)
            .OpenAssociationAsync(new DicomAssociationAttempt("CACHE_CT", "MIRC", "127.0.0.1", false, null));
        Assert.False(grant.Accepted);

        directory.Forget("CACHE_CT"); // what the DIMSE listener does on a refusal
        Assert.Equal("750200002", await directory.FindEstablishmentAsync("CACHE_CT", ct));
        var granted = await archive.Grains.GetGrain<IDicomProxyGrain>("750200002")
            .OpenAssociationAsync(new DicomAssociationAttempt("CACHE_CT", "MIRC", "127.0.0.1", false, null));
        Assert.True(granted.Accepted, granted.Reason);
    }
}
