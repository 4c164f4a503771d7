namespace Mirc.Grains.Interfaces.Consent;

/// <summary>The patient's global decision about sharing between establishments.</summary>
public enum ConsentDecision
{
    /// <summary>Nothing recorded: the deployment policy decides.</summary>
    NotRecorded = 0,

    /// <summary>Explicit consent to sharing.</summary>
    Granted = 1,

    /// <summary>Opposition to sharing (right of opposition).</summary>
    Opposed = 2,
}
