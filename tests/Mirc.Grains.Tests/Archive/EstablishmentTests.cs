using Mirc.Grains.Establishments;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Professionals;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class EstablishmentTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private static EstablishmentProfile Profile(string id, params string[] aeTitles) => new()
    {
        EstablishmentId = id,
        Name = "Centre hospitalier " + id,
        AeTitles = aeTitles.Select(t => new AeTitleEntry(t, "10.0.0.1", 104, AePermissions.Store | AePermissions.Query)).ToArray(),
        Members = [new EstablishmentMember("10001", ["radiologist"])],
        RetentionYears = 20,
    };

    [Fact]
    public async Task Ae_titles_resolve_to_their_establishment_and_cannot_be_taken_by_another()
    {
        var a = archive.Grains.GetGrain<IEstablishmentGrain>("750100001");
        var b = archive.Grains.GetGrain<IEstablishmentGrain>("750100002");
        await a.SaveAsync(Profile("750100001", "CT_A", "MR_A"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => b.SaveAsync(Profile("750100002", "MR_A")));

        var resolver = archive.Services.GetRequiredService<AeTitleResolver>();
        var registration = await resolver.ResolveAsync("CT_A  ", TestContext.Current.CancellationToken);
        Assert.Equal("750100001", registration!.EstablishmentId);
        Assert.Equal(AePermissions.Store | AePermissions.Query, registration.Entry.Permissions);
        Assert.Null(await b.GetAsync());
        Assert.Null(await resolver.ResolveAsync("UNKNOWN_AE", TestContext.Current.CancellationToken));

        await a.RemoveAeTitleAsync("MR_A");
        await b.SaveAsync(Profile("750100002", "MR_A"));
        var registry = archive.Grains.GetGrain<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey);
        Assert.Equal("750100002", (await registry.ResolveAsync("MR_A"))!.EstablishmentId);
        Assert.Equal(["CT_A"], (await a.GetAsync())!.AeTitles.Select(t => t.AeTitle));
    }

    [Fact]
    public async Task Invalid_ae_titles_are_rejected()
    {
        var grain = archive.Grains.GetGrain<IEstablishmentGrain>("750100009");
        await Assert.ThrowsAsync<ArgumentException>(() => grain.SaveAsync(Profile("750100009", "THIS_TITLE_IS_TOO_LONG")));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.SaveAsync(Profile("750100009", "BAD\\AE")));
        Assert.Null(await grain.GetAsync());
    }

    [Fact]
    public async Task Members_and_professionals_are_kept()
    {
        var grain = archive.Grains.GetGrain<IEstablishmentGrain>("750100003");
        await grain.SaveAsync(Profile("750100003"));
        await grain.SetMemberAsync(new EstablishmentMember("10002", ["physician"]));
        await grain.RemoveMemberAsync("10001");
        var professional = archive.Grains.GetGrain<IProfessionalGrain>("10002");
        await professional.SaveAsync(new ProfessionalProfile { ProfessionalId = "10002", Name = "Dr Martin", EstablishmentId = "750100003", Roles = ["physician"] });

        await archive.DeactivateAsync(grain);

        Assert.Equal(["10002"], (await grain.GetAsync())!.Members.Select(m => m.ProfessionalId));
        Assert.Equal("Dr Martin", (await professional.GetAsync())!.Name);
    }

    [Fact]
    public async Task Directory_follows_creation_renames_and_repairs_itself_on_activation()
    {
        var grain = archive.Grains.GetGrain<IEstablishmentGrain>("750100004");
        var directory = archive.Grains.GetGrain<IEstablishmentDirectoryGrain>(IEstablishmentDirectoryGrain.SingletonKey);
        await grain.SaveAsync(Profile("750100004", "CT_D"));
        Assert.Contains(new EstablishmentListing("750100004", "Centre hospitalier 750100004", SharingPolicy.CareRelationship), await directory.GetAllAsync());

        await grain.SaveAsync((await grain.GetAsync())! with { Name = "CH renommé", Sharing = SharingPolicy.Regional });
        Assert.Equal(new EstablishmentListing("750100004", "CH renommé", SharingPolicy.Regional),
            Assert.Single(await directory.GetAllAsync(), e => e.EstablishmentId == "750100004"));

        // A stale or missing entry (an establishment older than the directory) is put right when the establishment activates.
        await directory.RecordAsync(new EstablishmentListing("750100004", "Stale", SharingPolicy.Private));
        await archive.DeactivateAsync(grain);
        Assert.Equal("CH renommé", (await grain.GetAsync())!.Name);
        Assert.Equal(new EstablishmentListing("750100004", "CH renommé", SharingPolicy.Regional),
            Assert.Single(await directory.GetAllAsync(), e => e.EstablishmentId == "750100004"));

        // Establishments never registered are not listed.
        Assert.Null(await archive.Grains.GetGrain<IEstablishmentGrain>("750100005").GetAsync());
        Assert.DoesNotContain(await directory.GetAllAsync(), e => e.EstablishmentId == "750100005");
    }
}
