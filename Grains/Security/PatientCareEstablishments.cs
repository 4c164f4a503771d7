using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Grains.Security;

/// <summary>
/// The patient's establishments of care: those holding a local id of the patient or having produced one of their
/// studies — the patient's side, which records the patient's wishes and receives pushes whatever the consent.
/// </summary>
public static class PatientCareEstablishments
{
    /// <summary>The establishments of care of <paramref name="patientId"/>; empty for an unknown patient.</summary>
    public static async Task<IReadOnlyCollection<string>> OfAsync(IGrainFactory grains, string patientId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var patient = grains.Reference<IPatientGrain>(patientId);
        if (!await patient.ExistsAsync().ConfigureAwait(false))
        {
            return [];
        }

        var record = await patient.GetAsync().ConfigureAwait(false);
        return record.LocalIds.Select(l => l.EstablishmentId).Concat(record.Studies.Select(s => s.EstablishmentId))
            .Where(e => !string.IsNullOrEmpty(e)).ToHashSet(StringComparer.Ordinal);
    }
}
