using Microsoft.AspNetCore.Http;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// WADO-RS bulk data (PS3.18 §10.4.1.1.5): the targets of the BulkDataURIs written in metadata. Pixel Data is read
/// from the frame ranges recorded at ingest (native: one octet-stream part; encapsulated: one part per frame in its
/// compressed media type); other large values are taken from the instance header, which is parsed up to Pixel Data only.
/// </summary>
public static class WadoBulkDataEndpoint
{
    /// <summary>Handles <c>GET …/instances/{instance}/bulkdata/{*path}</c>.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext context,
        RetrievalScope scope,
        string? path,
        WadoServices wado,
        CancellationToken cancellationToken)
    {
        if (WadoRetrieveEndpoint.ScopeProblem(scope) is { } invalid) return invalid;
        var bulkPath = BulkDataPath.TryParse(path);
        if (bulkPath is null) return ApiProblems.BadRequest($"'{path}' is not a bulk data path (tag, or sequence/item/…/tag, tags as 8 hex digits).");
        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-RS bulk data", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var instance = entries[0];

        if (bulkPath.IsPixelData)
        {
            if (instance.FrameCount == 0) return ApiProblems.NotFound($"Instance {instance.SopInstanceUid} has no pixel data.");
            var part = WadoFramesEndpoint.ChoosePartType(context.Request.Headers.Accept, instance, out var refusal);
            if (part is null) return ApiProblems.NotAcceptable(refusal!);
            if (part.TargetTransferSyntax is not null)
                return ApiProblems.NotAcceptable($"Pixel data bulk data is served as stored ({instance.TransferSyntaxUid}); converted frames are served by …/frames/{{n}}.");
            var partType = part.PartType;
            var frames = await wado.Retriever.ReadFramesAsync(instance, Enumerable.Range(1, instance.FrameCount).ToArray(), cancellationToken).ConfigureAwait(false);
            return new BulkPartsResult(partType, instance.Frames.Encapsulated ? instance.TransferSyntaxUid : null,
                instance.Frames.Encapsulated ? frames.Select(f => f.Content).ToArray() : [Concatenate(frames)]);
        }

        if (AcceptNegotiation.Select(context.Request.Headers.Accept, [new(DicomMediaTypes.MultipartRelated, DicomMediaTypes.OctetStream)]) is null)
            return ApiProblems.NotAcceptable("Bulk data is served as multipart/related; type=\"application/octet-stream\".");
        DicomFile header;
        await using (var content = await wado.Retriever.OpenInstanceAsync(instance, cancellationToken).ConfigureAwait(false))
            header = await DicomFileReader.ReadAsync(content, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        var element = bulkPath.Find(header.Dataset);
        if (element is null or DicomSequence) return ApiProblems.NotFound($"Instance {instance.SopInstanceUid} has no bulk data at {path}.");
        // Nested encapsulated pixel data (an icon, one frame): its compressed bytes, in the instance's transfer syntax.
        if (element is DicomFragmentSequence encapsulated)
            return new BulkPartsResult(DicomMediaTypes.OctetStream, header.TransferSyntax.Uid, [DicomTranscoder.FrameOf(encapsulated, 0, 1)]);
        return new BulkPartsResult(DicomMediaTypes.OctetStream, null, [element.Buffer]);
    }

    private static ReadOnlyMemory<byte> Concatenate(IReadOnlyList<RetrievedFrame> frames)
    {
        if (frames.Count == 1) return frames[0].Content;
        var all = new byte[frames.Sum(f => f.Content.Length)];
        var offset = 0;
        foreach (var frame in frames)
        {
            frame.Content.Span.CopyTo(all.AsSpan(offset));
            offset += frame.Content.Length;
        }
        return all;
    }

    private sealed class BulkPartsResult(string partType, string? transferSyntax, IReadOnlyList<ReadOnlyMemory<byte>> parts) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            var writer = new MultipartRelatedWriter(httpContext.Response.BodyWriter);
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = writer.ContentType(partType, transferSyntax);
            foreach (var part in parts)
            {
                writer.BeginPart(partType, transferSyntax, contentLength: part.Length);
                await writer.WriteContentAsync(part, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
