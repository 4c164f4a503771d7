using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Security;

/// <summary>
/// A local account (key: lower-case username): PBKDF2 password hash, TOTP second factor, lock-out after repeated
/// failures. Logins are audited by the grain itself.
/// </summary>
[Alias("mirc.ILocalAccountGrain")]
public interface ILocalAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account with a fresh TOTP secret; returns the enrolment to show once.</summary>
    /// <param name="profile">Identity and roles; <see cref="LocalAccountProfile.Username"/> must equal the key.</param>
    /// <param name="initialPassword">Initial password (policy: at least 12 characters).</param>
    /// <param name="mustChangePassword">True for a one-time password that must be replaced at first login.</param>
    /// <exception cref="InvalidOperationException">The account already exists.</exception>
    /// <exception cref="ArgumentException">Profile or password invalid.</exception>
    [Alias("Create")]
    Task<TotpEnrolment> CreateAsync(LocalAccountProfile profile, string initialPassword, bool mustChangePassword);

    /// <summary>Checks password + TOTP, applies the lock-out rule, audits the attempt.</summary>
    [Alias("Login")]
    Task<LoginResult> LoginAsync(LoginAttempt attempt);

    /// <summary>Whether the account exists.</summary>
    [Alias("Exists")]
    [ReadOnly]
    Task<bool> ExistsAsync();

    /// <summary>The profile, or null when the account does not exist.</summary>
    [Alias("GetProfile")]
    [ReadOnly]
    Task<LocalAccountProfile?> GetProfileAsync();

    /// <summary>Replaces roles/establishment/disabled flag (administrators only; audited).</summary>
    /// <exception cref="UnauthorizedAccessException">The principal may not administer this account.</exception>
    [Alias("UpdateProfile")]
    Task UpdateProfileAsync(ProfessionalPrincipal administrator, LocalAccountProfile profile);

    /// <summary>
    /// Recovers an account whose credentials are lost: a new one-time password (to replace at next login), a new TOTP
    /// secret (the old authenticator entry stops working) and no lock-out (administrators only; audited).
    /// </summary>
    /// <returns>The new TOTP enrolment, to show once.</returns>
    /// <exception cref="UnauthorizedAccessException">The principal may not administer this account.</exception>
    /// <exception cref="InvalidOperationException">The account does not exist.</exception>
    [Alias("ResetCredentials")]
    Task<TotpEnrolment> ResetCredentialsAsync(ProfessionalPrincipal administrator, string oneTimePassword);

    /// <summary>Clears a lock-out (administrators only; audited).</summary>
    /// <exception cref="UnauthorizedAccessException">The principal may not administer this account.</exception>
    [Alias("Unlock")]
    Task UnlockAsync(ProfessionalPrincipal administrator);
}
