using Microsoft.AspNetCore.Http;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// WADO-RS frame retrieval (PS3.18 §10.4.1.1.4): frames are read as byte ranges recorded at ingest (never the whole
/// instance) and sent as <c>multipart/related</c> — <c>application/octet-stream</c> for native pixel data, the stored
/// compressed format (<c>image/jpeg</c>, <c>image/jls</c>, <c>image/jp2</c>, …) for encapsulated pixel data.
/// </summary>
public static class WadoFramesEndpoint
{
    /// <summary>Handles <c>GET /studies/{study}/series/{series}/instances/{instance}/frames/{frames}</c>.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext context,
        RetrievalScope scope,
        string frames,
        WadoServices wado,
        CancellationToken cancellationToken)
    {
        if (WadoRetrieveEndpoint.ScopeProblem(scope) is { } invalid) return invalid;
        var frameNumbers = FrameList.TryParse(frames, out var frameError);
        if (frameNumbers is null) return ApiProblems.BadRequest(frameError!);

        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-RS frames", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var instance = entries[0];
        if (instance.FrameCount == 0) return ApiProblems.NotFound($"Instance {instance.SopInstanceUid} has no pixel data frames.");
        foreach (var frame in frameNumbers)
        {
            if (frame > instance.FrameCount)
                return ApiProblems.NotFound($"Frame {frame} does not exist; instance {instance.SopInstanceUid} has {instance.FrameCount} frame(s).");
        }

        var partType = ChoosePartType(context.Request.Headers.Accept, instance, out var refusal);
        if (partType is null) return ApiProblems.NotAcceptable(refusal!);

        var content = await wado.Retriever.ReadFramesAsync(instance, frameNumbers, cancellationToken).ConfigureAwait(false);
        return new MultipartFramesResult(context.Request.Path, instance, partType, content);
    }

    /// <summary>The media type of each frame part acceptable to the client, or null with the reason for a 406.</summary>
    internal static string? ChoosePartType(Microsoft.Extensions.Primitives.StringValues accept, InstanceEntry instance, out string? refusal)
    {
        refusal = null;
        var stored = instance.TransferSyntaxUid;
        var native = !instance.Frames.Encapsulated;
        var compressedType = native ? DicomMediaTypes.OctetStream : TransferSyntaxMediaTypes.ForFrames(stored);
        MediaOffer[] offers = native || compressedType == DicomMediaTypes.OctetStream
            ? [new(DicomMediaTypes.MultipartRelated, DicomMediaTypes.OctetStream)]
            : [new(DicomMediaTypes.MultipartRelated, compressedType), new(DicomMediaTypes.MultipartRelated, DicomMediaTypes.OctetStream)];
        var negotiated = AcceptNegotiation.Select(accept, offers);
        if (negotiated is not null)
        {
            var asStored = negotiated.AcceptsStoredTransferSyntax(stored)
                // Little-endian native frames are the same bytes whatever the VR encoding of the header.
                || (native && negotiated.TransferSyntax is "1.2.840.10008.1.2.1" or "1.2.840.10008.1.2");
            // Compressed bytes may only go out as octet-stream when the client said any syntax will do.
            var octetForCompressed = !native && negotiated.Offer.PartType == DicomMediaTypes.OctetStream && negotiated.TransferSyntax is null;
            if (asStored && !octetForCompressed) return negotiated.Offer.PartType;
        }
        refusal = native
            ? "Frames of this instance are native pixel data, served as multipart/related; type=\"application/octet-stream\"."
            : $"Frames of this instance are stored in {stored}; they are served as multipart/related; type=\"{compressedType}\" (or application/octet-stream with transfer-syntax=*). Decompression is not supported.";
        return null;
    }

    private sealed class MultipartFramesResult(string requestPath, InstanceEntry instance, string partType, IReadOnlyList<RetrievedFrame> frames) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            var writer = new MultipartRelatedWriter(httpContext.Response.BodyWriter);
            var transferSyntax = instance.Frames.Encapsulated ? instance.TransferSyntaxUid : null;
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = writer.ContentType(partType, transferSyntax);
            var framesRoot = requestPath[..(requestPath.LastIndexOf('/') + 1)];
            foreach (var frame in frames)
            {
                writer.BeginPart(partType, transferSyntax, contentLocation: framesRoot + frame.FrameNumber, contentLength: frame.Content.Length);
                await writer.WriteContentAsync(frame.Content, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
