using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mirc.Api.Hosting;

namespace Mirc.Api.DicomWeb;

/// <summary>Builds absolute DICOMweb URLs (RetrieveURL, BulkDataURI) for the current request.</summary>
public sealed class DicomWebUrls
{
    /// <summary>Route prefix of the DICOMweb services.</summary>
    public const string Prefix = "/dicomweb";

    private readonly string _root;

    private DicomWebUrls(string root) => _root = root;

    /// <summary>URLs rooted at the configured public base URL, or at the request's own scheme, host and path base.</summary>
    public static DicomWebUrls For(HttpRequest request, IOptions<MircApiOptions> options)
    {
        var configured = options.Value.PublicBaseUrl;
        var origin = string.IsNullOrEmpty(configured)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : configured.TrimEnd('/');
        return new DicomWebUrls(origin + Prefix);
    }

    /// <summary><c>…/studies/{study}</c>.</summary>
    public string Study(string study) => $"{_root}/studies/{study}";

    /// <summary><c>…/studies/{study}/series/{series}</c>.</summary>
    public string Series(string study, string series) => $"{_root}/studies/{study}/series/{series}";

    /// <summary><c>…/studies/{study}/series/{series}/instances/{instance}</c>.</summary>
    public string Instance(string study, string series, string instance) => $"{_root}/studies/{study}/series/{series}/instances/{instance}";
}
