using Microsoft.AspNetCore.Builder;

namespace Mirc.Api.Management;

/// <summary>Role policies of the management API, applied only when the API requires authorization.</summary>
internal static class ManagementAuthorization
{
    /// <summary>Requires <paramref name="policy"/> on the endpoint when <paramref name="enforce"/> is set.</summary>
    public static RouteHandlerBuilder RequirePolicy(this RouteHandlerBuilder endpoint, bool enforce, string policy) =>
        enforce ? endpoint.RequireAuthorization(policy) : endpoint;
}
