namespace Mirc.Grains.Security;

/// <summary>DICOM User Identity Negotiation types (PS3.7 D.3.3.7).</summary>
public enum DimseUserIdentityType
{
    /// <summary>No user identity sub-item: the calling AE alone identifies the establishment (device principal).</summary>
    None = 0,

    /// <summary>Username only: not an authentication, rejected.</summary>
    Username = 1,

    /// <summary>Username and passcode: the passcode is the password followed by the current 6-digit TOTP code.</summary>
    UsernameAndPasscode = 2,

    /// <summary>Kerberos ticket: not supported.</summary>
    Kerberos = 3,

    /// <summary>SAML assertion: not supported.</summary>
    Saml = 4,

    /// <summary>JSON Web Token (bearer token of the platform or the external IdP).</summary>
    Jwt = 5,
}
