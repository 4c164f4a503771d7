using Microsoft.Extensions.Options;

namespace Mirc.Api.Hosting;

/// <summary>Checks what data annotations cannot: coherent CORS settings and an absolute public base URL.</summary>
public sealed class MircApiOptionsValidator : IValidateOptions<MircApiOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MircApiOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.PublicBaseUrl)
            && (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https")))
            failures.Add($"Mirc:Api:PublicBaseUrl '{options.PublicBaseUrl}' must be an absolute http(s) URL.");
        var origins = options.Cors.AllowedOrigins;
        if (options.Cors.AllowCredentials && origins.Contains("*"))
            failures.Add("Mirc:Api:Cors:AllowCredentials cannot be combined with the '*' origin.");
        foreach (var origin in origins)
        {
            if (origin != "*" && !Uri.TryCreate(origin, UriKind.Absolute, out _))
                failures.Add($"Mirc:Api:Cors:AllowedOrigins entry '{origin}' is not an absolute origin such as https://viewer.example.org.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
