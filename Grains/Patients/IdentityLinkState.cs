namespace Mirc.Grains.Patients;

/// <summary>Persistent state of an identity index entry (local id or INS → regional patient id).</summary>
[GenerateSerializer, Alias("mirc.IdentityLinkState")]
public sealed class IdentityLinkState
{
    /// <summary>Linked regional patient id, or null.</summary>
    [Id(0)] public string? PatientId { get; set; }
}
