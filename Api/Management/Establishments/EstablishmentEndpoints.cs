using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Api.Management.Establishments;

/// <summary>Establishments: create, read, update, AE titles (<c>/api/establishments</c>).</summary>
public static class EstablishmentEndpoints
{
    /// <summary>Maps the establishment routes on <paramref name="api"/>.</summary>
    public static void MapEstablishments(this RouteGroupBuilder api, bool enforceRoles = false)
    {
        var group = api.MapGroup("/establishments").WithTags("Establishments");
        group.MapPost("", CreateAsync).WithName("CreateEstablishment").WithSummary("Create an establishment").RequirePolicy(enforceRoles, Authentication.MircPolicies.Administrator);
        group.MapGet("/{establishmentId}", GetAsync).WithName("GetEstablishment").WithSummary("Read an establishment");
        group.MapPut("/{establishmentId}", UpdateAsync).WithName("UpdateEstablishment").WithSummary("Update name, retention or sharing policy").RequirePolicy(enforceRoles, Authentication.MircPolicies.Administrator);
        group.MapPut("/{establishmentId}/ae-titles/{aeTitle}", SetAeTitleAsync).WithName("SetAeTitle").WithSummary("Add or change an AE title").RequirePolicy(enforceRoles, Authentication.MircPolicies.Administrator);
        group.MapDelete("/{establishmentId}/ae-titles/{aeTitle}", RemoveAeTitleAsync).WithName("RemoveAeTitle").WithSummary("Remove an AE title").RequirePolicy(enforceRoles, Authentication.MircPolicies.Administrator);
    }

    private static async Task<IResult> CreateAsync(CreateEstablishmentRequest request, IGrainFactory grains)
    {
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.GetGrain<IEstablishmentGrain>(request.EstablishmentId!);
        if (await grain.GetAsync() is not null) return ApiProblems.Conflict($"Establishment {request.EstablishmentId} already exists.");
        var profile = new EstablishmentProfile
        {
            EstablishmentId = request.EstablishmentId!,
            Name = request.Name!.Trim(),
            RetentionYears = request.RetentionYears ?? 20,
            Sharing = request.Sharing ?? SharingPolicy.CareRelationship,
        };
        await grain.SaveAsync(profile);
        return Results.Created($"/api/establishments/{profile.EstablishmentId}", profile);
    }

    private static async Task<IResult> GetAsync(string establishmentId, IGrainFactory grains)
    {
        if (!Identifiers.IsValidKey(establishmentId)) return ApiProblems.BadRequest($"'{establishmentId}' is not a valid establishment id.");
        var profile = await grains.GetGrain<IEstablishmentGrain>(establishmentId).GetAsync();
        return profile is null ? ApiProblems.NotFound($"Establishment {establishmentId} does not exist.") : Results.Ok(profile);
    }

    private static async Task<IResult> UpdateAsync(string establishmentId, UpdateEstablishmentRequest request, IGrainFactory grains)
    {
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.GetGrain<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is not { } current)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var updated = current with
        {
            Name = request.Name?.Trim() ?? current.Name,
            RetentionYears = request.RetentionYears ?? current.RetentionYears,
            Sharing = request.Sharing ?? current.Sharing,
        };
        await grain.SaveAsync(updated);
        return Results.Ok(updated);
    }

    private static async Task<IResult> SetAeTitleAsync(string establishmentId, string aeTitle, AeTitleRequest request, IGrainFactory grains)
    {
        var errors = request.Validate().Check(Identifiers.IsValidAeTitle(aeTitle), "aeTitle", "1 to 16 printable characters, no backslash.");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.GetGrain<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is null)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var title = aeTitle.Trim(' ');
        try
        {
            await grain.SetAeTitleAsync(new AeTitleEntry(title, request.Host!.Trim(), request.Port!.Value, request.CombinedPermissions(),
                request.Networks?.Select(n => n.Trim()).ToArray()));
        }
        catch (InvalidOperationException ex)
        {
            // The grain refuses a title owned by another establishment, leaving both sides untouched.
            return ApiProblems.Conflict(ex.Message);
        }
        return Results.Ok(await grain.GetAsync());
    }

    private static async Task<IResult> RemoveAeTitleAsync(string establishmentId, string aeTitle, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is not { } current)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var title = aeTitle.Trim(' ');
        if (!current.AeTitles.Any(t => t.AeTitle == title))
            return ApiProblems.NotFound($"Establishment {establishmentId} has no AE title {title}.");
        await grain.RemoveAeTitleAsync(title);
        return Results.NoContent();
    }
}
