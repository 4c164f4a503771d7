using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Api.Management.Patients;

/// <summary>Outcome of a manual link or unlink.</summary>
/// <param name="PatientId">The regional patient the local id now belongs to.</param>
/// <param name="PreviousPatientId">The regional patient it belonged to before, if any.</param>
/// <param name="LocalId">The local id moved.</param>
public sealed record IdentityLinkResult(string PatientId, string? PreviousPatientId, LocalPatientId LocalId);
