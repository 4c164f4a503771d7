namespace Mirc.Grains.Security;

/// <summary>What an association request tells about the caller.</summary>
/// <param name="CallingAeTitle">Calling AE title (identifies the establishment).</param>
/// <param name="RemoteAddress">Peer IP address and port, for the audit trail.</param>
/// <param name="IdentityType">User identity type, <see cref="DimseUserIdentityType.None"/> when absent.</param>
/// <param name="PrimaryField">Username, or the JWT.</param>
/// <param name="SecondaryField">Passcode (password + TOTP) for <see cref="DimseUserIdentityType.UsernameAndPasscode"/>.</param>
public sealed record DimseIdentityRequest(
    string CallingAeTitle,
    string? RemoteAddress,
    DimseUserIdentityType IdentityType = DimseUserIdentityType.None,
    string? PrimaryField = null,
    string? SecondaryField = null)
{
    /// <summary>Never print credentials.</summary>
    public override string ToString() => $"DimseIdentityRequest {{ CallingAeTitle = {CallingAeTitle}, RemoteAddress = {RemoteAddress}, IdentityType = {IdentityType} }}";
}
