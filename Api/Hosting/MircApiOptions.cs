using System.ComponentModel.DataAnnotations;

namespace Mirc.Api.Hosting;

/// <summary>Settings of the HTTP surface (section <c>Mirc:Api</c>), validated at start-up.</summary>
public sealed class MircApiOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Api";

    /// <summary>
    /// Absolute base URL clients reach the server at (e.g. behind a reverse proxy), used in RetrieveURL and BulkDataURI
    /// values; when empty, the request's scheme and host are used.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>Largest page QIDO-RS returns (also the default <c>limit</c>).</summary>
    [Range(1, 10_000)]
    public int QidoMaxResults { get; set; } = 1_000;

    /// <summary>Instances WADO-RS fetches ahead of the one being sent (bounded parallel blob reads).</summary>
    [Range(1, 64)]
    public int RetrievePrefetch { get; set; } = 8;

    /// <summary>
    /// Largest STOW-RS request body in bytes (parts are streamed, never buffered, but an endless body would hold a request
    /// open forever): 4 GiB by default. A declared Content-Length above it is answered 413 before the body is read.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxStowRequestBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Values at least this long are replaced by a BulkDataURI in WADO-RS metadata.</summary>
    [Range(16, int.MaxValue)]
    public int BulkDataThreshold { get; set; } = 1024;

    /// <summary>Establishment credited for stores by unauthenticated callers (embedded, auth-less deployments only).</summary>
    [Required]
    public string AnonymousEstablishmentId { get; set; } = "local";

    /// <summary>
    /// When true (the default) every DICOMweb and WADO-URI endpoint requires an authenticated caller (the scheme is
    /// registered by <c>AddMircAuthentication</c>). False only lets anonymous requests reach the access policy, which
    /// still decides what they see (nothing, with the secure policy); the management API always requires a caller.
    /// The silo warns at start-up when it is relaxed.
    /// </summary>
    public bool RequireAuthorization { get; set; } = true;

    /// <summary>
    /// Issuer of Patient ID (0010,0021) under which the regional patient id is returned in QIDO-RS results and WADO-RS
    /// metadata, as an Other Patient IDs Sequence (0010,1002) item.
    /// </summary>
    [Required, StringLength(64, MinimumLength = 1)]
    public string RegionalPatientIdIssuer { get; set; } = "MIRC";

    /// <summary>Cross-origin settings for browser viewers.</summary>
    public CorsSettings Cors { get; set; } = new();

    /// <summary>CORS policy of the API.</summary>
    public sealed class CorsSettings
    {
        /// <summary>Allowed origins (e.g. <c>https://viewer.example.org</c>); <c>*</c> allows any; empty disables CORS.</summary>
        public string[] AllowedOrigins { get; set; } = [];

        /// <summary>Whether browsers may send credentials (not allowed together with <c>*</c>).</summary>
        public bool AllowCredentials { get; set; }

        /// <summary>How long browsers may cache a preflight answer, in seconds.</summary>
        [Range(0, 86_400)]
        public int PreflightMaxAgeSeconds { get; set; } = 600;
    }
}
