namespace Mirc.Grains.Research;

/// <summary>
/// A research PACS that receives exports by STOW-RS (<c>Mirc:Research:StowDestinations:{name}</c>). Declared in
/// configuration only, so an operator approves every place de-identified data may go; projects name it. The credential
/// comes from the environment or the deployment's secret store like the storage connection string: it never enters grain
/// state, the API, the audit trail or a log message.
/// </summary>
public sealed class StowDestinationOptions
{
    /// <summary>The STOW-RS endpoint, e.g. <c>https://pacs.example.org/dicom-web/studies</c>; <c>http</c> only on loopback.</summary>
    public Uri? Url { get; set; }

    /// <summary>Bearer token sent as <c>Authorization: Bearer …</c> (secret), or null.</summary>
    public string? BearerToken { get; set; }

    /// <summary>User name of HTTP basic authentication, or null.</summary>
    public string? Username { get; set; }

    /// <summary>Password of HTTP basic authentication (secret), or null.</summary>
    public string? Password { get; set; }

    /// <summary>What is wrong with the destination named <paramref name="name"/>, none when valid.</summary>
    public IEnumerable<string> Problems(string name)
    {
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            yield return $"StowDestinations: '{name}' is not a name (letters, digits, '-', '_', at most 64).";
        var prefix = $"StowDestinations:{name}";
        if (Url is not { IsAbsoluteUri: true } || (Url.Scheme != Uri.UriSchemeHttps && Url.Scheme != Uri.UriSchemeHttp))
        {
            yield return $"{prefix}:Url must be an absolute http(s) URL of a STOW-RS endpoint.";
            yield break;
        }

        // Credentials and health data never cross a network in clear; plain http is for a PACS on this machine.
        if (Url.Scheme == Uri.UriSchemeHttp && !Url.IsLoopback) yield return $"{prefix}:Url must use https (http only on loopback).";
        if (Url.UserInfo.Length > 0 || Url.Query.Length > 0)
            yield return $"{prefix}:Url must carry no credential or query: use BearerToken or Username/Password.";
        if (!string.IsNullOrEmpty(BearerToken) && (!string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password)))
            yield return $"{prefix}: BearerToken or Username/Password, not both.";
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
            yield return $"{prefix}: Username and Password go together.";
        if (Username?.Contains(':', StringComparison.Ordinal) == true) yield return $"{prefix}:Username cannot contain ':' (HTTP basic).";
    }
}
