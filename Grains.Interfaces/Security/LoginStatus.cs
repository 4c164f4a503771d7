namespace Mirc.Grains.Interfaces.Security;

/// <summary>Outcome of a local login.</summary>
public enum LoginStatus
{
    /// <summary>Authenticated.</summary>
    Succeeded = 0,

    /// <summary>Unknown user, wrong password or wrong TOTP code (deliberately not distinguished).</summary>
    InvalidCredentials = 1,

    /// <summary>Too many failures: locked until <see cref="LoginResult.LockedUntil"/>.</summary>
    LockedOut = 2,

    /// <summary>Credentials valid but the one-time password must be replaced (send a new password).</summary>
    PasswordChangeRequired = 3,

    /// <summary>The new password does not meet the policy.</summary>
    WeakNewPassword = 4,

    /// <summary>The account is disabled.</summary>
    Disabled = 5,
}
