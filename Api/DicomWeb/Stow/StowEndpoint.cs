using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>
/// STOW-RS (PS3.18 §10.5): each <c>application/dicom</c> part of a <c>multipart/related</c> request is streamed
/// straight into the ingest pipeline as it arrives — a 2 GB request is never buffered — and the response lists what
/// was stored durably and what failed.
/// </summary>
public static partial class StowEndpoint
{
    private const int PartHeadersLimit = 16 * 1024;
    private const int MultipartBufferSize = 64 * 1024;

    /// <summary>Handles <c>POST /studies</c> and <c>POST /studies/{study}</c>.</summary>
    public static async Task<IResult> StoreAsync(
        HttpContext context,
        string? study,
        StowServices stow,
        CancellationToken cancellationToken)
    {
        var options = stow.Options;
        var contentType = MultipartRelatedContentType.TryParse(context.Request.ContentType, out var contentTypeError);
        if (contentType is null)
        {
            return context.Request.ContentType is { } sent && sent.TrimStart().StartsWith("multipart/related", StringComparison.OrdinalIgnoreCase)
                ? ApiProblems.BadRequest(contentTypeError!, "Malformed multipart request")
                : ApiProblems.UnsupportedMediaType(StowContentTypeHint(context.Request.ContentType, contentTypeError));
        }
        var metadataRequest = contentType.RootType is { } root && IsMediaType(root, DicomMediaTypes.DicomJson);
        if (contentType.RootType is { } rootType && !IsDicomPart(rootType) && !metadataRequest)
            return ApiProblems.UnsupportedMediaType($"Parts of type '{rootType}' are not supported; send type=\"application/dicom\" or \"application/dicom+json\".");
        if (study is not null && !Uids.IsValid(study))
            return ApiProblems.BadRequest($"'{study}' is not a valid Study Instance UID.");

        // A declared length over the limit is refused before anything is read (Kestrel would only refuse on first read).
        var maxBytes = options.Value.MaxStowRequestBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"The request declares {context.Request.ContentLength} bytes; this archive takes at most {maxBytes} bytes per STOW-RS request (Mirc:Api:MaxStowRequestBytes).");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = maxBytes;

        var apiCaller = ApiCaller.From(context);
        IngestCaller caller;
        try
        {
            caller = stow.Access.ToIngestCaller(apiCaller);
        }
        catch (UnauthorizedAccessException ex)
        {
            await stow.Audit.RecordAsync(context, AuditAction.Store, AuditOutcome.Denied, study is null ? [] : [study], $"STOW-RS refused: {ex.Message}", cancellationToken).ConfigureAwait(false);
            return apiCaller.IsAuthenticated
                ? Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
                : Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }
        var urls = DicomWebUrls.For(context.Request, options);
        var response = new StoreResponse();
        // 64 KB reads (the reader's default buffer is 4 KB): a 512 KB part crosses the boundary scan in 8 reads, not 128.
        var reader = new MultipartReader(contentType.Boundary, context.Request.Body, MultipartBufferSize)
        {
            HeadersLengthLimit = PartHeadersLimit,
            BodyLengthLimit = null,
        };
        var parts = 0;
        await using var pipeline = new IngestPipeline(stow, response, urls);
        if (metadataRequest)
        {
            var (problem, metadataParts) = await StoreMetadataPartsAsync(reader, study, caller, stow, urls, response, cancellationToken).ConfigureAwait(false);
            if (problem is not null) return problem;
            parts = metadataParts;
        }
        while (!metadataRequest)
        {
            MultipartSection? section;
            try
            {
                section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException)
            {
                if (parts == 0) return ApiProblems.BadRequest($"The multipart body cannot be read: {ex.Message}", "Malformed multipart request");
                response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, $"The multipart body is malformed after part {parts}: {ex.Message}"));
                break;
            }
            if (section is null) break;
            parts++;
            var partType = section.ContentType ?? contentType.RootType ?? DicomMediaTypes.Dicom;
            if (!IsDicomPart(partType))
            {
                response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, $"Part {parts} has unsupported media type '{partType}'."));
                continue;
            }
            var lengthHint = ContentLength(section);
            var request = new IngestRequest
            {
                Caller = caller,
                Payload = IngestPayload.Part10File,
                ExpectedStudyInstanceUid = study,
                LengthHint = lengthHint,
            };
            PartBuffer buffer;
            bool complete;
            try
            {
                (buffer, complete) = await PartBuffer.ReadAsync(section.Body, BufferedPartLimit, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException)
            {
                response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, $"Part {parts} cannot be read: {ex.Message}"));
                break;
            }
            if (complete)
            {
                await pipeline.StartAsync(parts, buffer, request with { LengthHint = buffer.Length }, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (buffer)
            {
                await pipeline.IngestStreamAsync(parts, buffer, section.Body, request, cancellationToken).ConfigureAwait(false);
            }
        }
        await pipeline.DrainAsync().ConfigureAwait(false);
        if (parts == 0) return ApiProblems.BadRequest("The multipart body has no parts.", "Malformed multipart request");

        response.StudyRetrieveUrl = StudyUrl(study, response, urls);
        var studies = response.Stored.Select(s => StudyOf(s.RetrieveUrl)).Distinct(StringComparer.Ordinal).ToArray();
        await stow.Audit.RecordAsync(context, AuditAction.Store, response.Stored.Count > 0 ? AuditOutcome.Success : AuditOutcome.Failure, studies,
            $"STOW-RS: {response.Stored.Count} stored, {response.Failed.Count} failed", cancellationToken).ConfigureAwait(false);
        // Details go in the body (Error Comment of each Failed SOP Sequence item): one header per failure broke clients
        // (300 bad parts = 300 header lines, beyond common 100-header limits).
        if (response.Failed.Count > 0)
            context.Response.Headers.Warning = $"299 mirc \"{response.Failed.Count} of {parts} part(s) not stored; see Failed SOP Sequence (0008,1198) in the body\"";
        return new StoreResponseResult(response);
    }

    private static void Record(StoreResponse response, IngestOutcome outcome, DicomWebUrls urls, int part)
    {
        if (outcome.IsSuccess && outcome.Instance is { } stored)
        {
            response.Stored.Add(new StoredInstance(
                stored.SopClassUid,
                stored.SopInstanceUid,
                urls.Instance(stored.StudyInstanceUid, stored.SeriesInstanceUid, stored.SopInstanceUid),
                outcome.StowReason != 0 ? outcome.StowReason : null));
            return;
        }
        response.Failed.Add(new FailedInstance(
            outcome.SopClassUid,
            outcome.SopInstanceUid,
            outcome.IsSuccess ? StoreFailureReasons.ProcessingFailure : outcome.StowReason,
            $"Part {part}: {outcome.Detail ?? outcome.Status.ToString()}"));
    }

    private static string? StudyUrl(string? study, StoreResponse response, DicomWebUrls urls)
    {
        if (study is not null) return urls.Study(study);
        string? only = null;
        foreach (var stored in response.Stored)
        {
            var uid = StudyOf(stored.RetrieveUrl);
            if (only is null) only = uid;
            else if (only != uid) return null;
        }
        return only is null ? null : urls.Study(only);
    }

    private static string StudyOf(string instanceUrl)
    {
        const string marker = "/studies/";
        var start = instanceUrl.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = instanceUrl.IndexOf('/', start);
        return instanceUrl[start..end];
    }

    private static long? ContentLength(MultipartSection section) =>
        section.Headers?.TryGetValue(HeaderNames.ContentLength, out var value) == true && long.TryParse(value, out var length) ? length : null;

    /// <summary>
    /// Why the body's media type is refused and what to send instead (a bare Part 10 file is the usual mistake). Routing
    /// answers most of these itself (the routes accept multipart/related only): <c>ProblemHints</c> uses it too.
    /// </summary>
    // PS3.18 §10.5.1: a STOW-RS body is multipart/related even for one instance; say how to wrap it.
    internal static string StowContentTypeHint(string? sent, string? error) =>
        MediaRange.Parse(sent)?.MediaType == DicomMediaTypes.Dicom
            ? "A single application/dicom body is not a STOW-RS request (PS3.18 §10.5.1): send it as the single part of "
              + "a multipart/related; type=\"application/dicom\"; boundary=… body (one part per instance, each part starting "
              + "with Content-Type: application/dicom), or send the file over DIMSE with storescu."
            : $"{error} STOW-RS takes multipart/related; type=\"application/dicom\".";

    private static bool IsDicomPart(string mediaType)
    {
        var semicolon = mediaType.IndexOf(';');
        var bare = (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
        return bare.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "STOW-RS part {Part} not stored: {Status} {Detail}")]
    private static partial void LogPartFailed(ILogger logger, int part, IngestStatus status, string? detail);

    /// <summary>Writes the store response as <c>application/dicom+json</c> with the right status code.</summary>
    private sealed class StoreResponseResult(StoreResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.StatusCode;
            httpContext.Response.ContentType = DicomMediaTypes.DicomJson;
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            StoreResponseJsonWriter.Write(writer, response);
            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

/// <summary>Log category of STOW-RS requests.</summary>
public sealed class StowRequestLog;
