using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Silo.Seeding;

/// <summary>Rejects a seed that would create unusable records, naming the offending entry.</summary>
public sealed class RegionSeedValidation : IValidateOptions<RegionSeedOptions>
{
    public ValidateOptionsResult Validate(string? name, RegionSeedOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Establishments.Count; i++)
        {
            var e = options.Establishments[i];
            if (string.IsNullOrWhiteSpace(e.Id))
            {
                errors.Add($"Mirc:Seed:Establishments:{i}:Id is required");
            }

            for (var j = 0; j < e.AeTitles.Count; j++)
            {
                var ae = e.AeTitles[j].AeTitle;
                if (string.IsNullOrWhiteSpace(ae) || ae.Length > 16 || ae.Contains('\\'))
                {
                    errors.Add($"Mirc:Seed:Establishments:{i}:AeTitles:{j}:AeTitle '{ae}' must be 1-16 characters without backslash");
                }

                if (e.AeTitles[j].Port is < 0 or > 65535)
                {
                    errors.Add($"Mirc:Seed:Establishments:{i}:AeTitles:{j}:Port must be 0-65535");
                }

                if (e.AeTitles[j].Networks.FirstOrDefault(n => !Mirc.Grains.Dimse.DeviceAddress.TryParseNetwork(n, out _)) is { } network)
                {
                    errors.Add($"Mirc:Seed:Establishments:{i}:AeTitles:{j}:Networks '{network}' is neither CIDR (10.1.2.0/24) nor an IP address");
                }

                if (e.AeTitles[j].ClientCertificate is { } certificate && !Mirc.Grains.Dimse.DeviceCertificate.IsValid(certificate))
                {
                    errors.Add($"Mirc:Seed:Establishments:{i}:AeTitles:{j}:ClientCertificate '{certificate}' is neither a SHA-256 / SHA-1 thumbprint nor a subject (CN=…)");
                }
            }
        }

        for (var i = 0; i < options.Professionals.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Professionals[i].Id))
            {
                errors.Add($"Mirc:Seed:Professionals:{i}:Id is required");
            }

            var p = options.Professionals[i];
            if (!string.IsNullOrWhiteSpace(p.Username))
            {
                if (string.IsNullOrWhiteSpace(p.EstablishmentId))
                {
                    errors.Add($"Mirc:Seed:Professionals:{i}:EstablishmentId is required for a local account");
                }

                if (MircRoleNames.Parse(p.Roles) == MircRoles.None)
                {
                    errors.Add($"Mirc:Seed:Professionals:{i}:Roles must name at least one role for a local account");
                }

                if (!string.IsNullOrEmpty(p.InitialPassword) && !PasswordPolicy.IsAcceptable(p.InitialPassword, p.Username.Trim().ToLowerInvariant()))
                {
                    errors.Add($"Mirc:Seed:Professionals:{i}:InitialPassword is too weak (12+ characters, not containing the username)");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
