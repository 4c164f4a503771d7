using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Management.Establishments;

/// <summary>
/// Establishments: list, create, read, update, AE titles (<c>/api/establishments</c>). Only a platform administrator creates
/// establishments; an establishment administrator changes its own establishment only; every change is audited.
/// </summary>
public static class EstablishmentEndpoints
{
    /// <summary>Maps the establishment routes on <paramref name="api"/>.</summary>
    public static void MapEstablishments(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/establishments").WithTags("Establishments");
        group.MapGet("", ListAsync).WithName("ListEstablishments").Produces<PublicEstablishmentProfile[]>()
            .WithSummary("List the establishments of the region: id, name and sharing policy of each (public profiles, any authenticated professional)");
        group.MapPost("", CreateAsync).WithName("CreateEstablishment").WithSummary("Create an establishment (PlatformAdmin)");
        group.MapGet("/{establishmentId}", GetAsync).WithName("GetEstablishment")
            .WithSummary("Read an establishment: full profile for its administrators and platform administrators, public profile otherwise");
        group.MapPut("/{establishmentId}", UpdateAsync).WithName("UpdateEstablishment").WithSummary("Update name, retention or sharing policy (its EstablishmentAdmin or PlatformAdmin)");
        group.MapPut("/{establishmentId}/ae-titles/{aeTitle}", SetAeTitleAsync).WithName("SetAeTitle").WithSummary("Add or change an AE title (its EstablishmentAdmin or PlatformAdmin)");
        group.MapDelete("/{establishmentId}/ae-titles/{aeTitle}", RemoveAeTitleAsync).WithName("RemoveAeTitle").WithSummary("Remove an AE title (its EstablishmentAdmin or PlatformAdmin)");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CreateEstablishmentRequest request, IGrainFactory grains)
    {
        if (await Administration.RefusalAsync(context, "create establishment " + request.EstablishmentId,
                p => Administration.Request(p, AccessAction.CreateEstablishment, request.EstablishmentId)) is { } refusal)
            return refusal;
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.Reference<IEstablishmentGrain>(request.EstablishmentId!);
        if (await grain.GetAsync() is not null) return ApiProblems.Conflict($"Establishment {request.EstablishmentId} already exists.");
        var profile = new EstablishmentProfile
        {
            EstablishmentId = request.EstablishmentId!,
            Name = request.Name!.Trim(),
            RetentionYears = request.RetentionYears ?? 20,
            Sharing = request.Sharing ?? SharingPolicy.CareRelationship,
        };
        await grain.SaveAsync(profile);
        await Administration.RecordChangeAsync(context, $"establishment {profile.EstablishmentId} created", null, Settings(profile));
        return Results.Created($"/api/establishments/{profile.EstablishmentId}", profile);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IGrainFactory grains)
    {
        if (Administration.Caller(context) is null) return Results.Unauthorized();
        // The public profile of every establishment is already readable one by one (GetAsync); reads are not audited.
        // The list comes from the directory, a projection of the establishment grains: it never holds AE titles or members.
        var all = await grains.Reference<IEstablishmentDirectoryGrain>(IEstablishmentDirectoryGrain.SingletonKey).GetAllAsync();
        return Results.Ok(all
            .OrderBy(e => e.Name, StringComparer.InvariantCultureIgnoreCase).ThenBy(e => e.EstablishmentId, StringComparer.Ordinal)
            .Select(e => new PublicEstablishmentProfile(e.EstablishmentId, e.Name, e.Sharing))
            .ToArray());
    }

    private static async Task<IResult> GetAsync(HttpContext context, string establishmentId, IGrainFactory grains)
    {
        if (!Identifiers.IsValidKey(establishmentId)) return ApiProblems.BadRequest($"'{establishmentId}' is not a valid establishment id.");
        var profile = await grains.Reference<IEstablishmentGrain>(establishmentId).GetAsync();
        if (profile is null) return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        // AE titles, their permissions and the members are the establishment's own business (and the platform's).
        return Administration.Administers(context, establishmentId)
            ? Results.Ok(profile)
            : Results.Ok(new PublicEstablishmentProfile(profile.EstablishmentId, profile.Name, profile.Sharing));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string establishmentId, UpdateEstablishmentRequest request, IGrainFactory grains)
    {
        if (await Administration.RefusalAsync(context, "update establishment " + establishmentId,
                p => Administration.Request(p, AccessAction.Administer, establishmentId)) is { } refusal)
            return refusal;
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.Reference<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is not { } current)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var updated = current with
        {
            Name = request.Name?.Trim() ?? current.Name,
            RetentionYears = request.RetentionYears ?? current.RetentionYears,
            Sharing = request.Sharing ?? current.Sharing,
        };
        await grain.SaveAsync(updated);
        await Administration.RecordChangeAsync(context, $"establishment {establishmentId} settings", Settings(current), Settings(updated));
        return Results.Ok(updated);
    }

    private static async Task<IResult> SetAeTitleAsync(HttpContext context, string establishmentId, string aeTitle, AeTitleRequest request, IGrainFactory grains)
    {
        if (await Administration.RefusalAsync(context, $"set AE title {aeTitle} of establishment {establishmentId}",
                p => Administration.Request(p, AccessAction.Administer, establishmentId)) is { } refusal)
            return refusal;
        var errors = request.Validate().Check(Identifiers.IsValidAeTitle(aeTitle), "aeTitle", "1 to 16 printable characters, no backslash.");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var grain = grains.Reference<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is not { } current)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var title = aeTitle.Trim(' ');
        var entry = new AeTitleEntry(title, request.Host!.Trim(), request.Port!.Value, request.CombinedPermissions(),
            request.Networks?.Select(n => n.Trim()).ToArray(), string.IsNullOrWhiteSpace(request.ClientCertificate) ? null : request.ClientCertificate.Trim(),
            request.Tls ?? false);
        try
        {
            await grain.SetAeTitleAsync(entry);
        }
        catch (InvalidOperationException ex)
        {
            // The grain refuses a title owned by another establishment, leaving both sides untouched.
            return ApiProblems.Conflict(ex.Message);
        }
        await Administration.RecordChangeAsync(context, $"establishment {establishmentId} AE title {title}",
            current.AeTitles.FirstOrDefault(t => t.AeTitle == title), entry);
        return Results.Ok(await grain.GetAsync());
    }

    private static async Task<IResult> RemoveAeTitleAsync(HttpContext context, string establishmentId, string aeTitle, IGrainFactory grains)
    {
        if (await Administration.RefusalAsync(context, $"remove AE title {aeTitle} of establishment {establishmentId}",
                p => Administration.Request(p, AccessAction.Administer, establishmentId)) is { } refusal)
            return refusal;
        var grain = grains.Reference<IEstablishmentGrain>(establishmentId);
        if (!Identifiers.IsValidKey(establishmentId) || await grain.GetAsync() is not { } current)
            return ApiProblems.NotFound($"Establishment {establishmentId} does not exist.");
        var title = aeTitle.Trim(' ');
        if (current.AeTitles.FirstOrDefault(t => t.AeTitle == title) is not { } removed)
            return ApiProblems.NotFound($"Establishment {establishmentId} has no AE title {title}.");
        await grain.RemoveAeTitleAsync(title);
        await Administration.RecordChangeAsync(context, $"establishment {establishmentId} AE title {title} removed", removed, null);
        return Results.NoContent();
    }

    private static object Settings(EstablishmentProfile profile) => new { profile.Name, profile.RetentionYears, profile.Sharing };
}

/// <summary>What anyone authenticated may know of an establishment: who it is and whether it shares.</summary>
/// <param name="EstablishmentId">Establishment id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Sharing">Sharing policy of its studies.</param>
public sealed record PublicEstablishmentProfile(string EstablishmentId, string Name, SharingPolicy Sharing);
