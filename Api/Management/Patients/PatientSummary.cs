namespace Mirc.Api.Management.Patients;

/// <summary>One patient found by <c>GET /api/patients</c>.</summary>
/// <param name="RegionalPatientId">The platform's patient id (key of the patient record).</param>
/// <param name="PatientId">Patient ID (0010,0020) as received.</param>
/// <param name="Issuer">Issuer of Patient ID (0010,0021).</param>
/// <param name="Name">Patient's Name (PN text).</param>
/// <param name="BirthDate">Birth date (YYYYMMDD).</param>
/// <param name="Sex">M, F or O.</param>
/// <param name="NumberOfStudies">Studies visible to the caller.</param>
public sealed record PatientSummary(
    string? RegionalPatientId,
    string? PatientId,
    string? Issuer,
    string? Name,
    string? BirthDate,
    string? Sex,
    int? NumberOfStudies);
