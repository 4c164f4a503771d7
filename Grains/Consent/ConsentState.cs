using Mirc.Grains.Interfaces.Consent;

namespace Mirc.Grains.Consent;

/// <summary>Persisted consent of one patient.</summary>
[GenerateSerializer, Alias("mirc.ConsentState")]
public sealed class ConsentState
{
    /// <summary>Global decision.</summary>
    [Id(0)] public ConsentDecision Decision { get; set; }

    /// <summary>Refused establishments.</summary>
    [Id(1)] public List<string> RefusedEstablishments { get; set; } = [];

    /// <summary>Whether emergency access is refused.</summary>
    [Id(2)] public bool EmergencyAccessRefused { get; set; }

    /// <summary>Every change, oldest first (never rewritten).</summary>
    [Id(3)] public List<ConsentChange> History { get; set; } = [];

    /// <summary>Whether the patient opposes research re-use (independent of <see cref="Decision"/>).</summary>
    [Id(4)] public bool ResearchReuseOpposed { get; set; }
}
