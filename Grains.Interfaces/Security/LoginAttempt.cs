namespace Mirc.Grains.Interfaces.Security;

/// <summary>Credentials presented to a local account. Never logged nor audited.</summary>
[GenerateSerializer, Immutable, Alias("mirc.LoginAttempt")]
public sealed record LoginAttempt
{
    /// <summary>The password.</summary>
    [Id(0)] public required string Password { get; init; }

    /// <summary>The current TOTP code (6 digits).</summary>
    [Id(1)] public required string TotpCode { get; init; }

    /// <summary>Replacement password, required when the account must change its (one-time) password.</summary>
    [Id(2)] public string? NewPassword { get; init; }

    /// <summary>Where the attempt comes from (client IP, AE title), for the audit trail.</summary>
    [Id(3)] public string? Source { get; init; }

    /// <summary>The channel, e.g. <c>http-token</c> or <c>dimse</c>, for the audit trail.</summary>
    [Id(4)] public string Channel { get; init; } = "http-token";
}
