namespace Mirc.Grains.Ingest;

/// <summary>What a different data set under an SOP Instance UID already stored gets (<see cref="IngestOptions.DuplicatePolicy"/>).</summary>
public enum DuplicatePolicy
{
    /// <summary>Refused: C-STORE 0110 (Processing failure) with an Error Comment, STOW-RS failure 0110 (HTTP 409 when nothing else was stored). The first object stays.</summary>
    Reject = 0,

    /// <summary>Success with a warning (C-STORE / STOW warning B006, Elements Discarded): the first object stays, the new one is discarded.</summary>
    KeepFirst = 1,

    /// <summary>
    /// Success (C-STORE 0000, STOW-RS 200): the new data set replaces the stored one atomically — it is written under a
    /// blob name of its own and becomes visible only when the manifest entry is swapped (one durable write); the index row
    /// and the study summary follow, the old blob is then deleted, and the replacement is audited as an update (EventActionCode U).
    /// A failure before the swap leaves the old object intact and served.
    /// </summary>
    Replace = 2,
}
