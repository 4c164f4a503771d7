namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>How an establishment shares the studies it produces with other establishments (rules applied by the security layer).</summary>
public enum SharingPolicy
{
    /// <summary>Shared with professionals having a care relationship and the patient's consent (default).</summary>
    CareRelationship = 0,

    /// <summary>Never shared outside the producing establishment.</summary>
    Private = 1,

    /// <summary>Shared with every member establishment of the region (still subject to consent).</summary>
    Regional = 2,
}
