using Microsoft.AspNetCore.Routing;
using Mirc.Api.Management.Establishments;
using Mirc.Api.Management.Patients;
using Mirc.Api.Management.Professionals;

namespace Mirc.Api.Management;

/// <summary>The JSON management API under <c>/api</c>.</summary>
public static class ManagementRoutes
{
    /// <summary>Maps establishments, professionals and patients on <paramref name="api"/>.</summary>
    public static RouteGroupBuilder MapManagement(this RouteGroupBuilder api)
    {
        api.MapEstablishments();
        api.MapProfessionals();
        api.MapPatients();
        return api;
    }
}
