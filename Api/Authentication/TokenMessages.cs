using System.Text.Json.Serialization;

namespace Mirc.Api.Authentication;

/// <summary>Body of <c>POST /api/auth/token</c> (JSON; form fields of the same names are accepted too).</summary>
public sealed record TokenRequest
{
    /// <summary>Optional OAuth2 grant type; only <c>password</c> is supported.</summary>
    [JsonPropertyName("grant_type")] public string? GrantType { get; init; }

    /// <summary>Username.</summary>
    [JsonPropertyName("username")] public string? Username { get; init; }

    /// <summary>Password.</summary>
    [JsonPropertyName("password")] public string? Password { get; init; }

    /// <summary>Current TOTP code.</summary>
    [JsonPropertyName("totp")] public string? Totp { get; init; }

    /// <summary>Replacement for a one-time password.</summary>
    [JsonPropertyName("new_password")] public string? NewPassword { get; init; }

    /// <summary>Never print credentials.</summary>
    public override string ToString() => $"TokenRequest {{ Username = {Username} }}";
}

/// <summary>Successful token response (RFC 6749 §5.1).</summary>
/// <param name="AccessToken">The JWT.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Lifetime in seconds.</param>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>Error response (RFC 6749 §5.2).</summary>
/// <param name="Error">Code: <c>invalid_request</c>, <c>invalid_grant</c>, <c>unsupported_grant_type</c>, <c>password_change_required</c>, <c>invalid_new_password</c>.</param>
/// <param name="ErrorDescription">Human-readable text.</param>
public sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

/// <summary>Source-generated JSON for the token endpoint.</summary>
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenError))]
internal sealed partial class TokenJson : JsonSerializerContext;
