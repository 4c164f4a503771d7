using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Api.Management.Patients;

/// <summary>
/// How a patient is named in <c>/api/patients/{patient}/…</c> URLs, the way professionals know them:
/// <list type="bullet">
/// <item><c>{regionalId}</c> — the regional patient id (as returned in QIDO-RS, WADO-RS metadata and patient search);</item>
/// <item><c>ins:{value}</c> — the national identifier (INS), looked up under the real, test and demo INS OIDs in that
/// order; <c>ins:{oid}:{value}</c> names the OID;</item>
/// <item><c>local:{establishmentId}:{issuer}:{patientId}</c> — an establishment's own patient id with its issuer
/// (Issuer of Patient ID; empty allowed: <c>local:750000001::P123</c>). The issuer cannot contain ':'; the patient id may.</item>
/// </list>
/// Resolution only reads: an unknown patient resolves to null (404), and nothing is created on the way.
/// </summary>
public static class PatientReference
{
    /// <summary>The regional id <paramref name="reference"/> names, or null when it is malformed or names no known patient.</summary>
    public static async Task<string?> ResolveAsync(IGrainFactory grains, string? reference)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (string.IsNullOrEmpty(reference) || reference.Length > 200) return null;
        string? regional;
        if (reference.StartsWith("ins:", StringComparison.OrdinalIgnoreCase))
        {
            regional = await InsAsync(grains, reference[4..]);
        }
        else if (reference.StartsWith("local:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = reference[6..].Split(':', 3);
            regional = parts.Length == 3 && Identifiers.IsValidKey(parts[0]) && Identifiers.IsValidShortText(parts[1])
                && parts[2].Length > 0 && Identifiers.IsValidShortText(parts[2])
                ? await grains.Reference<IPatientIdentityIndexGrain>(new LocalPatientId(parts[0], parts[1], parts[2]).IndexKey).GetAsync()
                : null;
        }
        else
        {
            regional = reference;
        }

        // The index grains answer null for what they never saw; the patient grain confirms the record exists.
        return regional is not null && Identifiers.IsValidKey(regional) && await grains.Reference<IPatientGrain>(regional).ExistsAsync()
            ? regional
            : null;
    }

    private static async Task<string?> InsAsync(IGrainFactory grains, string value)
    {
        var separator = value.LastIndexOf(':');
        var oids = separator > 0 ? [value[..separator]] : new[] { NationalIdentity.RealInsOid, NationalIdentity.TestInsOid, NationalIdentity.DemoInsOid };
        var ins = separator > 0 ? value[(separator + 1)..] : value;
        if (ins.Length is 0 or > 64 || !ins.All(char.IsAsciiLetterOrDigit)) return null;
        foreach (var oid in oids)
        {
            if (!NationalIdentity.IsInsOid(oid)) return null;
            if (await grains.Reference<IInsIdentityGrain>(new NationalIdentity(ins, oid).Key).GetAsync() is { } regional) return regional;
        }

        return null;
    }
}
