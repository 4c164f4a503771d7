using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>Persisted local account.</summary>
[GenerateSerializer, Alias("mirc.LocalAccountState")]
public sealed class LocalAccountState
{
    /// <summary>Profile; null until created.</summary>
    [Id(0)] public LocalAccountProfile? Profile { get; set; }

    /// <summary>PBKDF2 hash (<see cref="PasswordHasher"/> format).</summary>
    [Id(1)] public string PasswordHash { get; set; } = "";

    /// <summary>TOTP secret: Data Protection ciphertext (<see cref="Secrets.TotpSecretProtector"/>); clear Base32 in state written before.</summary>
    [Id(2)] public string TotpSecret { get; set; } = "";

    /// <summary>Last accepted TOTP step: a code is usable once.</summary>
    [Id(3)] public long LastTotpStep { get; set; }

    /// <summary>Consecutive failures.</summary>
    [Id(4)] public int FailedAttempts { get; set; }

    /// <summary>Locked until this instant.</summary>
    [Id(5)] public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The password is a one-time password to replace at first login.</summary>
    [Id(6)] public bool MustChangePassword { get; set; }

    /// <summary>Creation instant.</summary>
    [Id(7)] public DateTimeOffset CreatedAt { get; set; }
}
