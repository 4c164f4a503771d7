using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Access;
using Mirc.Api.Authentication;
using Mirc.Api.Tests.Authentication;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>The DICOMweb hook answers from the one authorization decision.</summary>
public sealed class SecureDicomWebAccessPolicyTests(AuthTestHost host) : IClassFixture<AuthTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDicomWebAccessPolicy Policy => host.Services.GetRequiredService<IDicomWebAccessPolicy>();

    private static ApiCaller Caller(string? role, string establishment = "EST-B")
    {
        var identity = role is null
            ? new ClaimsIdentity()
            : new ClaimsIdentity([new Claim("sub", "u1"), new Claim("establishment", establishment), new Claim("role", role), new Claim("rpps", "RPPS-U1")], "Bearer", "sub", "role");
        var principal = new ClaimsPrincipal(identity);
        return new ApiCaller("RPPS-U1", establishment, role is null ? [] : [role], "10.9.9.9", principal);
    }

    [Fact]
    public void Registered_in_place_of_the_archive_wide_default() => Assert.IsType<SecureDicomWebAccessPolicy>(Policy);

    [Fact]
    public async Task Anonymous_callers_see_and_store_nothing()
    {
        var anonymous = Caller(null);
        Assert.True((await Policy.QueryAuthorizationAsync(anonymous, Ct)).IsNothing);
        Assert.False(await Policy.CanRetrieveStudyAsync(anonymous, "1.2.3", Ct));
        Assert.Throws<UnauthorizedAccessException>(() => Policy.ToIngestCaller(anonymous));
    }

    [Fact]
    public async Task Clinicians_see_their_establishment_and_store_into_it()
    {
        var technician = Caller(nameof(MircRoles.Technician));
        var scope = await Policy.QueryAuthorizationAsync(technician, Ct);
        Assert.False(scope.IsAll);
        Assert.Equal(["EST-B"], scope.EstablishmentIds);
        Assert.Empty(scope.RegionalPatientIds);

        var ingest = Policy.ToIngestCaller(technician);
        Assert.Equal("EST-B", ingest.EstablishmentId);
        Assert.Equal("RPPS-U1", ingest.ProfessionalId);
        Assert.False(await Policy.CanRetrieveStudyAsync(technician, "1.2.999.unknown", Ct));
    }

    [Fact]
    public async Task Administrators_see_no_images_and_cannot_store()
    {
        var admin = Caller(nameof(MircRoles.PlatformAdmin), "platform");
        Assert.True((await Policy.QueryAuthorizationAsync(admin, Ct)).IsNothing);
        Assert.Throws<UnauthorizedAccessException>(() => Policy.ToIngestCaller(admin));
    }
}
