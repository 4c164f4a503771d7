using Microsoft.AspNetCore.Routing;
using Mirc.Api.ChangeFeed;
using Mirc.Api.Management.Establishments;
using Mirc.Api.Management.Patients;
using Mirc.Api.Management.Professionals;
using Mirc.Api.Management.Shares;
using Mirc.Api.Research;

namespace Mirc.Api.Management;

/// <summary>The JSON management API under <c>/api</c>.</summary>
public static class ManagementRoutes
{
    /// <summary>Maps establishments, professionals, patients, shares and research exports on <paramref name="api"/>; administration needs an administrator role unless <paramref name="enforceRoles"/> is turned off explicitly.</summary>
    public static RouteGroupBuilder MapManagement(this RouteGroupBuilder api, bool enforceRoles = true)
    {
        // Establishments and professionals decide per act (AccessDecision) and answer 403 with what is needed.
        api.MapEstablishments();
        api.MapProfessionals();
        api.MapPatients(enforceRoles);
        api.MapUnidentifiedStudies(enforceRoles);
        api.MapShares();
        api.MapResearch();
        api.MapChangeFeed();
        return api;
    }
}
