using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>Authorization policies (coarse gates; the per-study decision stays in <c>IAccessControl</c>).</summary>
public static class MircPolicies
{
    /// <summary>Any authenticated principal.</summary>
    public const string Authenticated = "mirc:authenticated";

    /// <summary>Platform administrators.</summary>
    public const string PlatformAdmin = "mirc:platform-admin";

    /// <summary>Readers of the audit trail: platform administrators, data-protection officers, establishment administrators.</summary>
    public const string AuditReader = "mirc:audit-reader";

    /// <summary>Establishment, AE title and professional administration: platform or establishment administrators.</summary>
    public const string Administrator = "mirc:administrator";

    /// <summary>Regional patient registry (search, identity links): administrators and the data-protection officer.</summary>
    public const string PatientRegistry = "mirc:patient-registry";

    /// <summary>Research projects and de-identified exports: data-protection officers and research managers.</summary>
    public const string ResearchExporter = "mirc:research-exporter";

    /// <summary>Re-identification tables of research projects: data-protection officers only.</summary>
    public const string Reidentification = "mirc:reidentification";

    /// <summary>
    /// The roles each role-gated policy admits (any one of them suffices): the policies are built from this table, and
    /// a refused request's problem details name the roles from it too.
    /// </summary>
    public static IReadOnlyDictionary<string, MircRoles> RequiredRoles { get; } = new Dictionary<string, MircRoles>(StringComparer.Ordinal)
    {
        [PlatformAdmin] = MircRoles.PlatformAdmin,
        [AuditReader] = MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer | MircRoles.EstablishmentAdmin,
        [Administrator] = MircRoles.PlatformAdmin | MircRoles.EstablishmentAdmin,
        [PatientRegistry] = MircRoles.PlatformAdmin | MircRoles.EstablishmentAdmin | MircRoles.DataProtectionOfficer,
        [ResearchExporter] = MircRoles.DataProtectionOfficer | MircRoles.ResearchManager,
        [Reidentification] = MircRoles.DataProtectionOfficer,
    };

    internal static void Register(AuthorizationOptions options)
    {
        options.AddPolicy(Authenticated, p => p.AddAuthenticationSchemes(MircAuthenticationDefaults.Scheme).RequireAuthenticatedUser());
        foreach (var (name, roles) in RequiredRoles)
        {
            options.AddPolicy(name, p => p.AddAuthenticationSchemes(MircAuthenticationDefaults.Scheme)
                .RequireAuthenticatedUser().RequireAssertion(c => HasRole(c, roles)));
        }
    }

    private static bool HasRole(AuthorizationHandlerContext context, MircRoles roles) =>
        context.Resource is HttpContext http && http.GetProfessionalPrincipal()?.HasAnyRole(roles) == true;
}
