using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// WADO-RS retrieval of studies, series and instances (PS3.18 §10.4) as <c>multipart/related; type="application/dicom"</c>
/// in the stored transfer syntax. Instances are opened (remote blobs: fetched) a few ahead in parallel and written in
/// order, each read straight into the response pipe, so memory stays bounded whatever the study size.
/// </summary>
public static partial class WadoRetrieveEndpoint
{
    private static readonly MediaOffer[] InstanceOffers = [new(DicomMediaTypes.MultipartRelated, DicomMediaTypes.Dicom)];

    /// <summary>Handles <c>GET /studies/{study}[/series/{series}[/instances/{instance}]]</c>.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext context,
        RetrievalScope scope,
        WadoServices wado,
        CancellationToken cancellationToken)
    {
        if (ScopeProblem(scope) is { } invalid) return invalid;
        var negotiated = AcceptNegotiation.Select(context.Request.Headers.Accept, InstanceOffers);
        if (negotiated is null)
            return ApiProblems.NotAcceptable("Instances are served as multipart/related; type=\"application/dicom\".");

        var entries = await ResolveVisibleAsync(context, scope, wado, "WADO-RS instances", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(NotFoundMessage(scope));
        // transfer-syntax absent or * = as stored; another one is produced by transcoding when every instance converts to it.
        var target = negotiated.TransferSyntax is null or DicomMediaTypes.AnyTransferSyntax ? null : negotiated.TransferSyntax;
        var encoder = target is null ? null : PixelFrameCodecs.Find(target);
        foreach (var entry in entries)
        {
            if (target is not null && !DicomTranscoder.CanTranscode(entry.TransferSyntaxUid, target))
                return ApiProblems.NotAcceptable(
                    $"Instance {entry.SopInstanceUid} is stored in transfer syntax {entry.TransferSyntaxUid}, which cannot be converted to {target} " +
                    (encoder?.EncodeRefusal(null) is { } why ? $"({why})." :
                    $"(decoders: {string.Join(", ", PixelFrameCodecs.Decodable)}; encoders: uncompressed, {string.Join(", ", PixelFrameCodecs.Encodable)}). Ask for transfer-syntax=*."));
        }
        // An encoder limited to some pixel modules (baseline JPEG: 8-bit) is checked on every header before the 200.
        if (encoder is { HasGeometryLimits: true } && await GeometryRefusalAsync(entries, encoder, wado.Retriever, cancellationToken).ConfigureAwait(false) is { } refusal)
            return ApiProblems.NotAcceptable(refusal);
        return new MultipartInstancesResult(entries, wado.Retriever, wado.Options.RetrievePrefetch, target);
    }

    private static async Task<string?> GeometryRefusalAsync(IReadOnlyList<InstanceEntry> entries, PixelFrameCodec encoder, IInstanceRetriever retriever, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            if (entry.FrameCount == 0 || entry.TransferSyntaxUid == encoder.TransferSyntaxUid) continue;
            DicomFile header;
            var stream = await retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
                header = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
            string? why;
            try
            {
                why = encoder.EncodeRefusal(FrameGeometry.From(header.Dataset));
            }
            catch (DicomFormatException ex)
            {
                why = ex.Message;
            }
            if (why is not null)
                return $"Instance {entry.SopInstanceUid} cannot be converted to {encoder.TransferSyntaxUid}: {why}. Ask for transfer-syntax=*.";
        }
        return null;
    }

    /// <summary>400 for a malformed UID in the path, else null.</summary>
    internal static IResult? ScopeProblem(RetrievalScope scope)
    {
        if (!Uids.IsValid(scope.StudyInstanceUid)) return ApiProblems.BadRequest($"'{scope.StudyInstanceUid}' is not a valid Study Instance UID.");
        if (scope.SeriesInstanceUid is { } series && !Uids.IsValid(series)) return ApiProblems.BadRequest($"'{series}' is not a valid Series Instance UID.");
        if (scope.SopInstanceUid is { } sop && !Uids.IsValid(sop)) return ApiProblems.BadRequest($"'{sop}' is not a valid SOP Instance UID.");
        return null;
    }

    /// <summary>
    /// The manifest entries of the scope if the caller may see them; null when absent or hidden (answered 404 alike).
    /// A permitted access is audited as a retrieve by <paramref name="service"/>, a refused one as denied.
    /// </summary>
    internal static async Task<IReadOnlyList<InstanceEntry>?> ResolveVisibleAsync(
        HttpContext context, RetrievalScope scope, WadoServices wado, string service, CancellationToken cancellationToken)
    {
        string[] study = [scope.StudyInstanceUid];
        var verdict = await wado.Access.RetrieveVerdictAsync(ApiCaller.From(context), scope.StudyInstanceUid, cancellationToken).ConfigureAwait(false);
        if (!verdict.IsAllowed)
        {
            await wado.Audit.RecordAsync(context, AuditAction.Retrieve, AuditOutcome.Denied, study, $"{service} {context.Request.Path}: refused", cancellationToken).ConfigureAwait(false);
            return null;
        }
        var entries = await wado.Retriever.ResolveAsync(scope, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0) return null;
        await wado.Audit.RecordAsync(context, AuditAction.Retrieve, AuditOutcome.Success, study, $"{service} {context.Request.Path}: {entries.Count} instance(s)", cancellationToken,
            verdict.RequiresReview).ConfigureAwait(false);
        return entries;
    }

    /// <summary>The 404 detail for a scope.</summary>
    internal static string NotFoundMessage(RetrievalScope scope) =>
        scope.SopInstanceUid is not null ? $"Instance {scope.SopInstanceUid} was not found in series {scope.SeriesInstanceUid} of study {scope.StudyInstanceUid}."
        : scope.SeriesInstanceUid is not null ? $"Series {scope.SeriesInstanceUid} was not found in study {scope.StudyInstanceUid}."
        : $"Study {scope.StudyInstanceUid} was not found.";

    /// <summary>
    /// Streams the instances as multipart/related, transcoding each one on its own when a syntax was named. A failure
    /// once parts are on the wire cannot change the 200 any more: the connection is aborted so the client sees an
    /// incomplete response (no closing delimiter), never a well-formed one that silently lacks an instance.
    /// </summary>
    private sealed class MultipartInstancesResult(IReadOnlyList<InstanceEntry> entries, IInstanceRetriever retriever, int prefetch, string? target) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            var writer = new MultipartRelatedWriter(httpContext.Response.BodyWriter);
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = writer.ContentType(DicomMediaTypes.Dicom);
            int sent = 0;
            await foreach (var instance in retriever.OpenAsync(entries, prefetch, cancellationToken).ConfigureAwait(false))
            {
                await using (instance.ConfigureAwait(false))
                {
                    if (target is not null && target != instance.Instance.TransferSyntaxUid)
                    {
                        // One instance at a time in memory: decoded, re-encoded, written as its own part; storage is untouched.
                        byte[] converted;
                        try
                        {
                            converted = await TranscodeAsync(instance.Content, target, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is DicomFormatException or NotSupportedException)
                        {
                            await FailAsync(httpContext, instance.Instance, sent, ex).ConfigureAwait(false);
                            return;
                        }
                        writer.BeginPart(DicomMediaTypes.Dicom, target, contentLength: converted.Length);
                        await writer.WriteContentAsync(converted, cancellationToken).ConfigureAwait(false);
                        sent++;
                        continue;
                    }
                    writer.BeginPart(DicomMediaTypes.Dicom, instance.Instance.TransferSyntaxUid, contentLength: instance.Instance.Size);
                    // The part headers and the content share the response pipe: the content is read straight into it.
                    await InstanceBodyCopy.CopyAsync(instance.Content, instance.Instance.Size, httpContext.Response.BodyWriter, cancellationToken)
                        .ConfigureAwait(false);
                    sent++;
                }
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Before any part: a 406 with the reason. After: the response is aborted (see the class summary).</summary>
        private async Task FailAsync(HttpContext httpContext, InstanceEntry failed, int sent, Exception error)
        {
            var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WadoRetrieveEndpoint));
            if (sent == 0 && !httpContext.Response.HasStarted)
            {
                LogTranscodeRefused(logger, failed.SopInstanceUid, target!, error.Message);
                httpContext.Response.ContentType = null;
                await ApiProblems.NotAcceptable($"Instance {failed.SopInstanceUid} cannot be converted to {target}: {error.Message}. Ask for transfer-syntax=*.")
                    .ExecuteAsync(httpContext).ConfigureAwait(false);
                return;
            }
            LogTranscodeAborted(logger, failed.SopInstanceUid, target!, sent, entries.Count, error);
            httpContext.Abort();
        }

        private static async Task<byte[]> TranscodeAsync(Stream part10, string target, CancellationToken cancellationToken)
        {
            var file = await DicomFileReader.ReadAsync(part10, cancellationToken: cancellationToken).ConfigureAwait(false);
            var syntax = DicomTransferSyntax.Lookup(target);
            return DicomFileWriter.Write(new DicomFile(DicomTranscoder.Transcode(file.Dataset, file.TransferSyntax, syntax), syntax));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WADO-RS: instance {SopInstanceUid} cannot be converted to {TransferSyntax} ({Reason}); answered 406")]
    private static partial void LogTranscodeRefused(ILogger logger, string sopInstanceUid, string transferSyntax, string reason);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "WADO-RS: converting instance {SopInstanceUid} to {TransferSyntax} failed after {Sent} of {Total} parts were sent; response aborted so the client sees it incomplete")]
    private static partial void LogTranscodeAborted(ILogger logger, string sopInstanceUid, string transferSyntax, int sent, int total, Exception error);
}
