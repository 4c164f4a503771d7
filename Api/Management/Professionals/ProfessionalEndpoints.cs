using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Professionals;

namespace Mirc.Api.Management.Professionals;

/// <summary>Professionals registry (<c>/api/professionals/{rpps}</c>): national id, name, establishment, roles.</summary>
public static class ProfessionalEndpoints
{
    /// <summary>Maps the professional routes on <paramref name="api"/>.</summary>
    public static void MapProfessionals(this RouteGroupBuilder api, bool enforceRoles = true)
    {
        var group = api.MapGroup("/professionals").WithTags("Professionals");
        group.MapGet("/{rpps}", GetAsync).WithName("GetProfessional").WithSummary("Read a professional");
        group.MapPut("/{rpps}", SaveAsync).WithName("SaveProfessional").WithSummary("Create or update a professional (and their establishment membership)").RequirePolicy(enforceRoles, Authentication.MircPolicies.Administrator);
    }

    private static async Task<IResult> GetAsync(string rpps, IGrainFactory grains)
    {
        if (!Identifiers.IsValidRpps(rpps)) return ApiProblems.Validation(new Dictionary<string, string[]> { ["rpps"] = ["The RPPS number has 11 digits."] });
        var profile = await grains.GetGrain<IProfessionalGrain>(rpps).GetAsync();
        return profile is null ? ApiProblems.NotFound($"Professional {rpps} is not registered.") : Results.Ok(profile);
    }

    private static async Task<IResult> SaveAsync(string rpps, ProfessionalRequest request, IGrainFactory grains)
    {
        var errors = request.Validate().Check(Identifiers.IsValidRpps(rpps), "rpps", "The RPPS number has 11 digits.");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());

        var roles = request.CanonicalRoles();
        IEstablishmentGrain? establishment = null;
        if (request.EstablishmentId is not null)
        {
            establishment = grains.GetGrain<IEstablishmentGrain>(request.EstablishmentId);
            if (await establishment.GetAsync() is null)
                return ApiProblems.Validation(new Dictionary<string, string[]> { [nameof(request.EstablishmentId)] = [$"Establishment {request.EstablishmentId} does not exist."] });
        }

        var grain = grains.GetGrain<IProfessionalGrain>(rpps);
        var previous = await grain.GetAsync();
        var profile = new ProfessionalProfile { ProfessionalId = rpps, Name = request.Name!.Trim(), EstablishmentId = request.EstablishmentId, Roles = roles };
        await grain.SaveAsync(profile);
        // Membership follows the profile: leaving an establishment removes the member entry there.
        if (previous?.EstablishmentId is { } oldEstablishment && oldEstablishment != request.EstablishmentId
            && await grains.GetGrain<IEstablishmentGrain>(oldEstablishment).GetAsync() is not null)
            await grains.GetGrain<IEstablishmentGrain>(oldEstablishment).RemoveMemberAsync(rpps);
        if (establishment is not null) await establishment.SetMemberAsync(new EstablishmentMember(rpps, roles));
        return previous is null ? Results.Created($"/api/professionals/{rpps}", profile) : Results.Ok(profile);
    }
}
