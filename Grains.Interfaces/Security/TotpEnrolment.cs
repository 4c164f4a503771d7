namespace Mirc.Grains.Interfaces.Security;

/// <summary>What a user needs to enrol an authenticator app: show once, never log.</summary>
/// <param name="SecretBase32">The shared secret, Base32 (RFC 4648) without padding.</param>
/// <param name="OtpAuthUri">The <c>otpauth://totp/…</c> URI (QR code content).</param>
[GenerateSerializer, Immutable, Alias("mirc.TotpEnrolment")]
public sealed record TotpEnrolment(
    [property: Id(0)] string SecretBase32,
    [property: Id(1)] string OtpAuthUri);
