namespace Mirc.Grains.Security;

/// <summary>
/// The clock of security decisions (expiry of care relationships, lock-outs, TOTP). Separate from the host's
/// <see cref="TimeProvider"/>, which Orleans itself uses, so tests can move it without disturbing the runtime.
/// </summary>
public sealed class SecurityClock(TimeProvider time)
{
    /// <summary>Now, UTC.</summary>
    public DateTimeOffset GetUtcNow() => time.GetUtcNow();
}
