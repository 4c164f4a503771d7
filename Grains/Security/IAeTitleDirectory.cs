namespace Mirc.Grains.Security;

/// <summary>Which establishment a calling AE title belongs to (default: the AE title registry grain).</summary>
public interface IAeTitleDirectory
{
    /// <summary>The establishment id, or null when the AE title is not registered.</summary>
    Task<string?> FindEstablishmentAsync(string aeTitle, CancellationToken cancellationToken = default);

    /// <summary>Forgets what is known of <paramref name="aeTitle"/> (its establishment refused it: the answer may be stale).</summary>
    void Forget(string aeTitle)
    {
    }
}
