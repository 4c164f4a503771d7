namespace Mirc.Dicom.Network;

/// <summary>User Identity types (PS3.7 Table D.3-14).</summary>
public enum UserIdentityType : byte
{
    /// <summary>Username only.</summary>
    Username = 1,
    /// <summary>Username and passcode.</summary>
    UsernameAndPasscode = 2,
    /// <summary>Kerberos service ticket.</summary>
    Kerberos = 3,
    /// <summary>SAML assertion.</summary>
    Saml = 4,
    /// <summary>JSON Web Token.</summary>
    Jwt = 5,
}

/// <summary>
/// User identity proposed by the requestor (sub-item 0x58). The network layer does not judge it: the application's
/// association handler decides whether to accept the association.
/// </summary>
/// <param name="Type">Identity type.</param>
/// <param name="PrimaryField">Username, or the token for JWT / SAML / Kerberos.</param>
/// <param name="SecondaryField">Passcode for type 2, otherwise empty.</param>
/// <param name="PositiveResponseRequested">The requestor asks for a User Identity server response (sub-item 0x59).</param>
public sealed record UserIdentity(UserIdentityType Type, string PrimaryField, string SecondaryField, bool PositiveResponseRequested)
{
    /// <summary>Never prints the passcode or token.</summary>
    public override string ToString() => Type switch
    {
        UserIdentityType.Username or UserIdentityType.UsernameAndPasscode => $"{Type}:{PrimaryField}",
        _ => Type.ToString(),
    };
}
