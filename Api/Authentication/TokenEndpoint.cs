using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>
/// <c>POST /api/auth/token</c>: local account login (password + TOTP, lock-out, one-time password change) → ES256
/// access token. The login decision and its audit record belong to the account grain.
/// </summary>
internal static partial class TokenEndpoint
{
    private const int MaxUsernameLength = 64;

    /// <summary>
    /// Says what to do without saying which credential failed (no account enumeration): the most common cause after a
    /// first login is a TOTP code sent twice, which is refused as a replay.
    /// </summary>
    internal const string InvalidGrantDescription =
        "Invalid username, password or code, or account temporarily locked. Each TOTP code is accepted once: wait for the "
        + "next code (every 30 s) before logging in again. 5 failures lock the account for 15 minutes.";

    public static async Task<IResult> HandleAsync(HttpContext context, IGrainFactory grains, LocalTokenIssuer issuer, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var request = await ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Send username, password and totp as a form or JSON.");
        }

        if (request.GrantType is not null && request.GrantType != "password")
        {
            return Error(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only the password grant (with totp) is supported.");
        }

        var username = request.Username?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(username) || username.Length > MaxUsernameLength || !username.All(IsUsernameChar)
            || string.IsNullOrEmpty(request.Password) || string.IsNullOrEmpty(request.Totp))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "username, password and totp are required.");
        }

        var result = await grains.Reference<ILocalAccountGrain>(username).LoginAsync(new LoginAttempt
        {
            Password = request.Password,
            TotpCode = request.Totp.Trim(),
            NewPassword = request.NewPassword,
            Source = context.AuditSource(),
            Channel = "http-token",
        }).WaitAsync(cancellationToken).ConfigureAwait(false);

        switch (result.Status)
        {
            case LoginStatus.Succeeded:
                var (token, lifetime) = await issuer.IssueAsync(result.Principal!, cancellationToken).ConfigureAwait(false);
                return Results.Json(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds), TokenJson.Default.TokenResponse);
            case LoginStatus.PasswordChangeRequired:
                return Error(StatusCodes.Status400BadRequest, "password_change_required", "The one-time password must be replaced: send new_password with a fresh totp code.");
            case LoginStatus.WeakNewPassword:
                return Error(StatusCodes.Status400BadRequest, "invalid_new_password", "The new password needs 12+ characters, must differ from the old one and not contain the username.");
            default:
                LogRejected(loggers.CreateLogger(typeof(TokenEndpoint)), username, result.Status);
                // Locked, disabled, unknown and wrong credentials look the same: no account enumeration.
                return Error(StatusCodes.Status400BadRequest, "invalid_grant", InvalidGrantDescription);
        }
    }

    private static async Task<TokenRequest?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
                return new TokenRequest
                {
                    GrantType = form["grant_type"].FirstOrDefault(),
                    Username = form["username"].FirstOrDefault(),
                    Password = form["password"].FirstOrDefault(),
                    Totp = form["totp"].FirstOrDefault(),
                    NewPassword = form["new_password"].FirstOrDefault(),
                };
            }

            if (request.HasJsonContentType())
            {
                return await JsonSerializer.DeserializeAsync(request.Body, TokenJson.Default.TokenRequest, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or BadHttpRequestException)
        {
            return null;
        }

        return null;
    }

    private static bool IsUsernameChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_' or '@';

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new TokenError(error, description), TokenJson.Default.TokenError, statusCode: status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token refused for {Username}: {Status}")]
    private static partial void LogRejected(ILogger logger, string username, LoginStatus status);
}
