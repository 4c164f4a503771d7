using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Professionals;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Management.Professionals;

/// <summary>
/// Professionals registry (<c>/api/professionals/{rpps}</c>): national id, name, establishment, roles. An establishment
/// administrator manages the professionals of its own establishment with the roles it may grant; moving a professional
/// between establishments and granting platform roles is for platform administrators. Every change is audited.
/// </summary>
public static class ProfessionalEndpoints
{
    /// <summary>Maps the professional routes on <paramref name="api"/>.</summary>
    public static void MapProfessionals(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/professionals").WithTags("Professionals");
        group.MapGet("/{rpps}", GetAsync).WithName("GetProfessional")
            .WithSummary("Read a professional: roles for the professional, their establishment's administrators and platform administrators");
        group.MapPut("/{rpps}", SaveAsync).WithName("SaveProfessional")
            .WithSummary("Create or update a professional and their membership (EstablishmentAdmin of that establishment, or PlatformAdmin)");
    }

    private static async Task<IResult> GetAsync(HttpContext context, string rpps, IGrainFactory grains)
    {
        if (!Identifiers.IsValidRpps(rpps)) return ApiProblems.Validation(new Dictionary<string, string[]> { ["rpps"] = ["The RPPS number has 11 digits."] });
        var profile = await grains.Reference<IProfessionalGrain>(rpps).GetAsync();
        if (profile is null) return ApiProblems.NotFound($"Professional {rpps} is not registered.");
        var self = context.GetProfessionalPrincipal()?.Rpps == rpps;
        return self || (profile.EstablishmentId is not null && Administration.Administers(context, profile.EstablishmentId))
            || Administration.Caller(context)?.HasAnyRole(MircRoles.PlatformAdmin) == true
            ? Results.Ok(profile)
            : Results.Ok(new PublicProfessionalProfile(profile.ProfessionalId, profile.Name, profile.EstablishmentId));
    }

    private static async Task<IResult> SaveAsync(HttpContext context, string rpps, ProfessionalRequest request, IGrainFactory grains)
    {
        var errors = request.Validate().Check(Identifiers.IsValidRpps(rpps), "rpps", "The RPPS number has 11 digits.");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());

        var grain = grains.Reference<IProfessionalGrain>(rpps);
        var previous = await grain.GetAsync();
        var roles = request.CanonicalRoles();
        if (await Administration.RefusalAsync(context, $"save professional {rpps}", p => Administration.Request(p, AccessAction.ManageProfessional, request.EstablishmentId) with
            {
                PreviousEstablishmentId = previous?.EstablishmentId,
                RolesBefore = MircRoleNames.Parse(previous?.Roles ?? []),
                RolesAfter = MircRoleNames.Parse(roles),
            }) is { } refusal)
            return refusal;

        IEstablishmentGrain? establishment = null;
        if (request.EstablishmentId is not null)
        {
            establishment = grains.Reference<IEstablishmentGrain>(request.EstablishmentId);
            if (await establishment.GetAsync() is null)
                return ApiProblems.Validation(new Dictionary<string, string[]> { [nameof(request.EstablishmentId)] = [$"Establishment {request.EstablishmentId} does not exist."] });
        }

        var profile = new ProfessionalProfile { ProfessionalId = rpps, Name = request.Name!.Trim(), EstablishmentId = request.EstablishmentId, Roles = roles };
        await grain.SaveAsync(profile);
        // Membership follows the profile: leaving an establishment removes the member entry there.
        if (previous?.EstablishmentId is { } oldEstablishment && oldEstablishment != request.EstablishmentId
            && await grains.Reference<IEstablishmentGrain>(oldEstablishment).GetAsync() is not null)
            await grains.Reference<IEstablishmentGrain>(oldEstablishment).RemoveMemberAsync(rpps);
        if (establishment is not null) await establishment.SetMemberAsync(new EstablishmentMember(rpps, roles));
        await Administration.RecordChangeAsync(context, $"professional {rpps}", previous, profile);
        return previous is null ? Results.Created($"/api/professionals/{rpps}", profile) : Results.Ok(profile);
    }
}

/// <summary>What any authenticated caller may know of a professional.</summary>
/// <param name="ProfessionalId">RPPS number.</param>
/// <param name="Name">Full name.</param>
/// <param name="EstablishmentId">Establishment, if any.</param>
public sealed record PublicProfessionalProfile(string ProfessionalId, string Name, string? EstablishmentId);
