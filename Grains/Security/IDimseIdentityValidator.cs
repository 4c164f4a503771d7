namespace Mirc.Grains.Security;

/// <summary>
/// Turns a DIMSE association request into a principal: the calling AE title identifies the establishment; an
/// optional user identity (username + passcode, or JWT) identifies the professional, who must belong to that
/// establishment. Call once per association, before accepting it; audit is written for login attempts.
/// </summary>
public interface IDimseIdentityValidator
{
    /// <summary>Validates the caller.</summary>
    Task<DimseIdentityResult> ValidateAsync(DimseIdentityRequest request, CancellationToken cancellationToken = default);
}
