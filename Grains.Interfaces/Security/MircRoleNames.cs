namespace Mirc.Grains.Interfaces.Security;

/// <summary>Textual role names as carried in tokens (<c>role</c> claims) and configuration.</summary>
public static class MircRoleNames
{
    /// <summary>Parses one role name (case-insensitive, e.g. <c>radiologist</c>, <c>PlatformAdmin</c>, <c>dpo</c>).</summary>
    public static bool TryParse(string? name, out MircRoles role)
    {
        role = MircRoles.None;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var trimmed = name.Trim();
        if (string.Equals(trimmed, "dpo", StringComparison.OrdinalIgnoreCase))
        {
            role = MircRoles.DataProtectionOfficer;
            return true;
        }

        // Only single named flags are accepted: numbers and combinations in a claim would be a way to escalate.
        if (Enum.TryParse(trimmed, ignoreCase: true, out MircRoles parsed)
            && parsed != MircRoles.None
            && Enum.IsDefined(parsed)
            && !char.IsDigit(trimmed[0]) && trimmed[0] != '-')
        {
            role = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Combines every recognised role name; unknown names are ignored.</summary>
    public static MircRoles Parse(IEnumerable<string> names)
    {
        var roles = MircRoles.None;
        foreach (var name in names)
        {
            if (TryParse(name, out var role))
            {
                roles |= role;
            }
        }

        return roles;
    }

    /// <summary>The individual role names of <paramref name="roles"/>, e.g. for token claims.</summary>
    public static IReadOnlyList<string> ToNames(MircRoles roles)
    {
        var names = new List<string>();
        foreach (var value in Enum.GetValues<MircRoles>())
        {
            if (value != MircRoles.None && roles.HasFlag(value))
            {
                names.Add(value.ToString());
            }
        }

        return names;
    }
}
