namespace Mirc.Grains.Interfaces.Consent;

/// <summary>A patient's consent as the authorization decision sees it.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ConsentSnapshot")]
public sealed record ConsentSnapshot
{
    /// <summary>Regional patient id.</summary>
    [Id(0)] public required string PatientId { get; init; }

    /// <summary>Deployment policy in force.</summary>
    [Id(1)] public ConsentPolicy Policy { get; init; }

    /// <summary>Global decision of the patient.</summary>
    [Id(2)] public ConsentDecision Decision { get; init; }

    /// <summary>Establishments the patient refuses.</summary>
    [Id(3)] public IReadOnlyList<string> RefusedEstablishments { get; init; } = [];

    /// <summary>Whether the patient refuses emergency (break-the-glass) access.</summary>
    [Id(4)] public bool EmergencyAccessRefused { get; init; }

    /// <summary>Version (number of changes recorded).</summary>
    [Id(5)] public long Version { get; init; }

    /// <summary>
    /// Whether the patient opposes re-use for research: research exports leave the patient out whatever the sharing
    /// decision (an opposition to sharing does not oppose research, nor the reverse — two separate rights).
    /// </summary>
    [Id(6)] public bool ResearchReuseOpposed { get; init; }

    /// <summary>Whether studies of this patient may be shared with professionals of <paramref name="establishmentId"/>.</summary>
    public bool AllowsSharingWith(string establishmentId)
    {
        var globallyAllowed = Policy switch
        {
            ConsentPolicy.OptOut => Decision != ConsentDecision.Opposed,
            ConsentPolicy.OptIn => Decision == ConsentDecision.Granted,
            _ => false,
        };
        return globallyAllowed && !IsRefused(establishmentId);
    }

    /// <summary>
    /// Whether emergency access by <paramref name="establishmentId"/> is possible: break-the-glass overrides a missing
    /// consent, never an explicit opposition, a refused establishment or a refusal of emergency access.
    /// </summary>
    public bool AllowsEmergencyAccessBy(string establishmentId)
        => !EmergencyAccessRefused && Decision != ConsentDecision.Opposed && !IsRefused(establishmentId);

    private bool IsRefused(string establishmentId)
    {
        foreach (var refused in RefusedEstablishments)
        {
            if (string.Equals(refused, establishmentId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The snapshot of a patient with nothing recorded.</summary>
    public static ConsentSnapshot Default(string patientId, ConsentPolicy policy) => new() { PatientId = patientId, Policy = policy };
}
