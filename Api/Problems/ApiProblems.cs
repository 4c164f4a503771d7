using Microsoft.AspNetCore.Http;

namespace Mirc.Api.Problems;

/// <summary>
/// RFC 9457 problem responses (<c>application/problem+json</c>) used by every endpoint, so clients always get a
/// machine-readable status, a short title and a detail that says what to fix.
/// </summary>
public static class ApiProblems
{
    /// <summary>400: the request cannot be understood as sent.</summary>
    public static IResult BadRequest(string detail, string title = "Bad request") =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    /// <summary>400 with one message per offending field or query parameter.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        Results.ValidationProblem(errors, detail: detail, title: "One or more fields are invalid");

    /// <summary>
    /// 403 saying what is needed: <paramref name="requiredRoles"/> (role names) and, when the act is tied to one,
    /// <paramref name="establishmentId"/> — also as extension members for clients.
    /// </summary>
    public static IResult Forbidden(string detail, IReadOnlyList<string> requiredRoles, string? establishmentId = null)
    {
        var extensions = new Dictionary<string, object?> { ["requiredRoles"] = requiredRoles };
        if (establishmentId is not null) extensions["establishmentId"] = establishmentId;
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", extensions: extensions);
    }

    /// <summary>404: the resource does not exist or the caller may not know it exists.</summary>
    public static IResult NotFound(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>406: none of the accepted representations can be produced.</summary>
    public static IResult NotAcceptable(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable");

    /// <summary>409: the request conflicts with the current state.</summary>
    public static IResult Conflict(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>415: the request body is in a media type this endpoint does not take.</summary>
    public static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
}
