using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>Default <see cref="IDimseIdentityValidator"/>: AE directory + local accounts + optional bearer-token validator.</summary>
public sealed class DimseIdentityValidator(
    IAeTitleDirectory aeTitles,
    IGrainFactory grains,
    IEnumerable<IBearerTokenValidator> tokenValidators) : IDimseIdentityValidator
{
    private readonly IBearerTokenValidator? _tokens = tokenValidators.LastOrDefault();

    /// <inheritdoc />
    public async Task<DimseIdentityResult> ValidateAsync(DimseIdentityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.CallingAeTitle))
        {
            return DimseIdentityResult.Reject("empty calling AE title");
        }

        var aeTitle = request.CallingAeTitle.Trim();
        var establishmentId = await aeTitles.FindEstablishmentAsync(aeTitle, cancellationToken).ConfigureAwait(false);
        if (establishmentId is null)
        {
            return DimseIdentityResult.Reject($"calling AE title {aeTitle} is not registered");
        }

        var source = request.RemoteAddress is null ? "AE " + aeTitle : $"AE {aeTitle} from {request.RemoteAddress}";
        ProfessionalPrincipal? user;
        switch (request.IdentityType)
        {
            case DimseUserIdentityType.None:
                return DimseIdentityResult.Accept(ProfessionalPrincipal.ForDevice(aeTitle, establishmentId));

            case DimseUserIdentityType.UsernameAndPasscode:
                user = await LoginAsync(request.PrimaryField, request.SecondaryField, source).ConfigureAwait(false);
                break;

            case DimseUserIdentityType.Jwt:
                if (_tokens is null || string.IsNullOrEmpty(request.PrimaryField))
                {
                    return DimseIdentityResult.Reject("JWT user identity is not available");
                }

                user = await _tokens.ValidateAsync(request.PrimaryField, cancellationToken).ConfigureAwait(false);
                break;

            default:
                return DimseIdentityResult.Reject($"user identity type {request.IdentityType} is not accepted");
        }

        if (user is null)
        {
            return DimseIdentityResult.Reject("user identity rejected");
        }

        // The professional acts through their establishment's AE: a mismatch is a misuse of another site's entity.
        if (!string.Equals(user.EstablishmentId, establishmentId, StringComparison.Ordinal))
        {
            return DimseIdentityResult.Reject($"user {user.Subject} does not belong to the establishment of AE {aeTitle}");
        }

        return DimseIdentityResult.Accept(user);
    }

    private async Task<ProfessionalPrincipal?> LoginAsync(string? username, string? passcode, string source)
    {
        // The passcode carries the second factor: "<password><6-digit TOTP code>".
        if (string.IsNullOrWhiteSpace(username) || passcode is null || passcode.Length <= Totp.Digits)
        {
            return null;
        }

        var password = passcode[..^Totp.Digits];
        var code = passcode[^Totp.Digits..];
        var result = await grains.Reference<ILocalAccountGrain>(username.Trim().ToLowerInvariant())
            .LoginAsync(new LoginAttempt { Password = password, TotpCode = code, Source = source, Channel = "dimse" }).ConfigureAwait(false);
        return result.Status == LoginStatus.Succeeded ? result.Principal : null;
    }
}
