using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Management.Professionals;

/// <summary>Body of <c>PUT /api/professionals/{rpps}</c>.</summary>
/// <param name="Name">Full name.</param>
/// <param name="EstablishmentId">Establishment the professional works for (must exist), or null.</param>
/// <param name="Roles">Role names: Radiologist, Physician, Technician, EstablishmentAdmin, PlatformAdmin, DataProtectionOfficer, ResearchManager.</param>
public sealed record ProfessionalRequest(string? Name, string? EstablishmentId, IReadOnlyList<string>? Roles)
{
    /// <summary>Field problems, none when valid.</summary>
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 128, nameof(Name), "Required, at most 128 characters.")
            .Check(EstablishmentId is null || Identifiers.IsValidKey(EstablishmentId), nameof(EstablishmentId), "1 to 64 letters, digits, '.', '_' or '-'.");
        foreach (var role in Roles ?? [])
        {
            if (!MircRoleNames.TryParse(role, out var parsed) || parsed == MircRoles.Device)
                errors.Add(nameof(Roles), $"'{role}' is not a professional role (Radiologist, Physician, Technician, EstablishmentAdmin, PlatformAdmin, DataProtectionOfficer, ResearchManager).");
        }
        return errors;
    }

    /// <summary>The roles in canonical spelling.</summary>
    public IReadOnlyList<string> CanonicalRoles() =>
        MircRoleNames.ToNames(MircRoleNames.Parse(Roles ?? []));
}
