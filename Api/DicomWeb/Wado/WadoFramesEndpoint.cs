using Microsoft.AspNetCore.Http;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// WADO-RS frame retrieval (PS3.18 §10.4.1.1.4): frames are read as byte ranges recorded at ingest (never the whole
/// instance) and sent as <c>multipart/related</c> — <c>application/octet-stream</c> for native pixel data, the stored
/// compressed format (<c>image/jpeg</c>, <c>image/jls</c>, <c>image/jp2</c>, …) for encapsulated pixel data, or
/// converted frame by frame when the client asks for another syntax.
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

        var part = ChoosePartType(context.Request.Headers.Accept, instance, out var refusal);
        if (part is null) return ApiProblems.NotAcceptable(refusal!);

        var content = await wado.Retriever.ReadFramesAsync(instance, frameNumbers, cancellationToken).ConfigureAwait(false);
        if (part.TargetTransferSyntax is null) return new MultipartFramesResult(context.Request.Path, instance, part, content);
        // Conversion needs the pixel module: the header only (up to the pixel data) is read, never the other frames.
        DicomFile header;
        var stream = await wado.Retriever.OpenInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
            header = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        try
        {
            // Converted before the response starts, so a frame that cannot be decoded is a 406 with the reason, not a broken stream.
            var converted = content.Select(f => new RetrievedFrame(f.FrameNumber, Convert(f.Content.Span, header, part.TargetTransferSyntax))).ToList();
            return new MultipartFramesResult(context.Request.Path, instance, part, converted);
        }
        catch (Exception ex) when (ex is DicomFormatException or NotSupportedException)
        {
            return ApiProblems.NotAcceptable($"Frames of instance {instance.SopInstanceUid} cannot be converted from {instance.TransferSyntaxUid} to {part.TargetTransferSyntax}: {ex.Message}");
        }
    }

    private static byte[] Convert(ReadOnlySpan<byte> frame, DicomFile header, string target)
    {
        var (samples, geometry) = FrameDecoder.Decode(frame, FrameGeometry.From(header.Dataset), header.TransferSyntax);
        var encoder = PixelFrameCodecs.Find(target);
        return encoder is null ? samples : encoder.Encode(samples, geometry);
    }

    /// <summary>
    /// The representation of each frame part acceptable to the client, or null with the reason for a 406: as stored when
    /// the client takes it, else decoded (octet-stream, Explicit VR Little Endian by default) or re-encoded into the
    /// syntax its media type and <c>transfer-syntax</c> name (PS3.18 §8.7.3.5).
    /// </summary>
    internal static FramePart? ChoosePartType(Microsoft.Extensions.Primitives.StringValues accept, InstanceEntry instance, out string? refusal)
    {
        refusal = null;
        var stored = instance.TransferSyntaxUid;
        var native = !instance.Frames.Encapsulated;
        var storedType = native ? DicomMediaTypes.OctetStream : TransferSyntaxMediaTypes.ForFrames(stored);
        var offers = new List<MediaOffer> { new(DicomMediaTypes.MultipartRelated, storedType) };
        foreach (var type in (string[])[DicomMediaTypes.OctetStream, "image/jpeg", "image/jls", "image/jp2", "image/dicom-rle"])
        {
            if (type != storedType) offers.Add(new(DicomMediaTypes.MultipartRelated, type));
        }
        var negotiated = AcceptNegotiation.Select(accept, offers);
        if (negotiated is not null)
        {
            var type = negotiated.Offer.PartType!;
            var asked = negotiated.TransferSyntax;
            // Little-endian native frames are the same bytes whatever the VR encoding of the header.
            bool nativeAsStored = native && type == DicomMediaTypes.OctetStream && asked is null or DicomMediaTypes.AnyTransferSyntax or "1.2.840.10008.1.2.1" or "1.2.840.10008.1.2";
            bool compressedAsStored = !native && (asked == DicomMediaTypes.AnyTransferSyntax || asked == stored || (asked is null && type == storedType));
            if (nativeAsStored || compressedAsStored) return new FramePart(type, null);
            var target = asked ?? TransferSyntaxMediaTypes.DefaultForFrames(type);
            if (target is not null && target != DicomMediaTypes.AnyTransferSyntax && TransferSyntaxMediaTypes.ForFrames(target) == type
                && DicomTranscoder.CanTranscode(stored, target))
            {
                return new FramePart(type, target);
            }
            refusal = $"Frames of instance {instance.SopInstanceUid} are stored in {stored}, which cannot be converted to {target ?? asked} as {type} " +
                $"(decoders: {string.Join(", ", PixelFrameCodecs.Decodable)}; encoders: {string.Join(", ", PixelFrameCodecs.Encodable)}).";
            return null;
        }
        refusal = native
            ? "Frames of this instance are native pixel data, served as multipart/related; type=\"application/octet-stream\" or a compressed frame type."
            : $"Frames of this instance are stored in {stored}; they are served as multipart/related; type=\"{storedType}\", application/octet-stream (decoded) or another compressed frame type.";
        return null;
    }

    /// <summary>What each frame part is: its media type and the syntax to convert into (null: as stored).</summary>
    internal sealed record FramePart(string PartType, string? TargetTransferSyntax);

    private sealed class MultipartFramesResult(string requestPath, InstanceEntry instance, FramePart part, IReadOnlyList<RetrievedFrame> frames) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            var writer = new MultipartRelatedWriter(httpContext.Response.BodyWriter);
            var transferSyntax = part.TargetTransferSyntax ?? (instance.Frames.Encapsulated ? instance.TransferSyntaxUid : null);
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = writer.ContentType(part.PartType, transferSyntax);
            var framesRoot = requestPath[..(requestPath.LastIndexOf('/') + 1)];
            foreach (var frame in frames)
            {
                writer.BeginPart(part.PartType, transferSyntax, contentLocation: framesRoot + frame.FrameNumber, contentLength: frame.Content.Length);
                await writer.WriteContentAsync(frame.Content, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
