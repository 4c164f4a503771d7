using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Security;

/// <summary>Local accounts: hashing cost, lock-out, TOTP issuer, first-start administrator (section <c>Mirc:Auth</c>).</summary>
public sealed class LocalAccountOptions
{
    /// <summary>Configuration section (shared with the HTTP token settings).</summary>
    public const string Section = "Mirc:Auth";

    /// <summary>PBKDF2-SHA256 iterations (at least 210,000).</summary>
    [Range(PasswordHasher.MinimumIterations, 10_000_000)]
    public int PasswordIterations { get; set; } = PasswordHasher.MinimumIterations;

    /// <summary>Lock-out rule.</summary>
    [Required]
    public LockoutOptions Lockout { get; set; } = new();

    /// <summary>Issuer shown by authenticator apps.</summary>
    [Required]
    public string TotpIssuer { get; set; } = "MIRC";

    /// <summary>Create an administrator account at first start and print its one-time credentials once.</summary>
    public bool BootstrapAdministrator { get; set; } = true;

    /// <summary>Username of the first-start administrator.</summary>
    [Required]
    public string AdministratorUsername { get; set; } = "admin";

    /// <summary>Establishment of the first-start administrator.</summary>
    [Required]
    public string AdministratorEstablishmentId { get; set; } = "platform";
}

/// <summary>Lock-out after repeated failures (section <c>Mirc:Auth:Lockout</c>).</summary>
public sealed class LockoutOptions
{
    /// <summary>Consecutive failures that lock the account.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>Lock duration.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}
