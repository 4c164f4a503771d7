using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Tests.Security;

internal static class TestPrincipals
{
    public const string EstablishmentA = "EST-A";
    public const string EstablishmentB = "EST-B";

    public static ProfessionalPrincipal Make(MircRoles roles, string establishment, string subject = "user", string? rpps = null) => new()
    {
        Subject = subject,
        Rpps = rpps,
        EstablishmentId = establishment,
        Roles = roles,
        AuthenticationMethod = "test",
    };

    public static ProfessionalPrincipal RadiologistB(string rpps = "10000000002") => Make(MircRoles.Radiologist, EstablishmentB, "rad-b", rpps);

    public static ProfessionalPrincipal Dpo() => Make(MircRoles.DataProtectionOfficer, "platform", "dpo");
}
