namespace Mirc.Grains.Interfaces.Consent;

/// <summary>One change a patient can make to their consent.</summary>
public enum ConsentChangeKind
{
    /// <summary>Consents to sharing.</summary>
    Grant = 0,

    /// <summary>Opposes sharing (applies at once to every later query and retrieve).</summary>
    Oppose = 1,

    /// <summary>Withdraws the recorded decision: back to the deployment policy.</summary>
    Reset = 2,

    /// <summary>Refuses access by one establishment (<see cref="ConsentChangeRequest.EstablishmentId"/>).</summary>
    RefuseEstablishment = 3,

    /// <summary>Lifts a refusal of one establishment.</summary>
    AllowEstablishment = 4,

    /// <summary>Refuses emergency (break-the-glass) access.</summary>
    RefuseEmergencyAccess = 5,

    /// <summary>Lifts the refusal of emergency access.</summary>
    AllowEmergencyAccess = 6,

    /// <summary>Opposes re-use of the patient's images for research (exports leave the patient out); separate from care sharing.</summary>
    OpposeResearch = 7,

    /// <summary>Lifts the opposition to research re-use.</summary>
    AllowResearch = 8,
}
