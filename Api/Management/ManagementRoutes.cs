using Microsoft.AspNetCore.Routing;
using Mirc.Api.Management.Establishments;
using Mirc.Api.Management.Patients;
using Mirc.Api.Management.Professionals;
using Mirc.Api.Management.Shares;

namespace Mirc.Api.Management;

/// <summary>The JSON management API under <c>/api</c>.</summary>
public static class ManagementRoutes
{
    /// <summary>Maps establishments, professionals, patients and shares on <paramref name="api"/>; with <paramref name="enforceRoles"/>, administration needs an administrator role.</summary>
    public static RouteGroupBuilder MapManagement(this RouteGroupBuilder api, bool enforceRoles = false)
    {
        api.MapEstablishments(enforceRoles);
        api.MapProfessionals(enforceRoles);
        api.MapPatients(enforceRoles);
        api.MapUnidentifiedStudies(enforceRoles);
        api.MapShares();
        return api;
    }
}
