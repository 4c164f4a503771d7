namespace Mirc.Grains.Interfaces.Patients;

/// <summary>What happened to a patient's identity links.</summary>
public enum IdentityLinkKind
{
    /// <summary>A local id (IPP) was linked automatically at ingest (first sight, or through a matching INS).</summary>
    AutoLinked = 0,

    /// <summary>An operator linked a local id to this patient.</summary>
    ManualLink = 1,

    /// <summary>An operator unlinked a local id from this patient.</summary>
    ManualUnlink = 2,

    /// <summary>An INS was attached to this patient.</summary>
    InsAttached = 3,

    /// <summary>An incoming INS pointed to another patient than the local id: not merged automatically.</summary>
    InsConflict = 4,

    /// <summary>Studies received under a re-linked local id moved from one patient to the other (both records keep the event).</summary>
    StudiesMoved = 5,
}
