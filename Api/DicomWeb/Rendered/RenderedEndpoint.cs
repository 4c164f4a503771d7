using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.DicomWeb.Wado;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Rendered;

/// <summary>
/// WADO-RS rendered and thumbnail resources (PS3.18 §10.4.1.1.3 and §10.5). Instance and frame: one frame decoded, Modality LUT and VOI
/// window applied, reduced to the viewport, encoded as image/jpeg (default) or image/png. The header is read up to the
/// pixel data and only the requested frame's bytes are fetched, so memory is bounded by one frame. Study and series:
/// every frame of every image as multipart/related, streamed part by part; their thumbnails stay one representative
/// image. Access control and audit are those of WADO-RS.
/// </summary>
public static class RenderedEndpoint
{
    internal const string Jpeg = "image/jpeg", Png = "image/png";
    private static readonly MediaOffer[] Offers = [new(Jpeg), new(Png)];

    /// <summary>A rendered study or series is a multipart resource (PS3.18 §10.4.4: single-part types do not apply to it).</summary>
    private static readonly MediaOffer[] CollectionOffers = [new(DicomMediaTypes.MultipartRelated, Jpeg), new(DicomMediaTypes.MultipartRelated, Png)];

    /// <summary>Maps the rendered and thumbnail routes on the DICOMweb group.</summary>
    public static void Map(RouteGroupBuilder group)
    {
        const string instance = "/studies/{study}/series/{series}/instances/{instance}";
        group.MapGet(instance + "/rendered", (HttpContext c, string study, string series, string instance, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study, series, instance), "1", thumbnail: false, wado, ct))
            .WithName("RetrieveRenderedInstance").WithSummary("WADO-RS: first frame of an instance rendered as image/jpeg or image/png");
        group.MapGet(instance + "/frames/{frames}/rendered", (HttpContext c, string study, string series, string instance, string frames, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study, series, instance), frames, thumbnail: false, wado, ct))
            .WithName("RetrieveRenderedFrame").WithSummary("WADO-RS: one frame rendered as image/jpeg or image/png");
        group.MapGet(instance + "/thumbnail", (HttpContext c, string study, string series, string instance, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study, series, instance), "1", thumbnail: true, wado, ct))
            .WithName("RetrieveInstanceThumbnail").WithSummary("WADO-RS: thumbnail of an instance");
        group.MapGet(instance + "/frames/{frames}/thumbnail", (HttpContext c, string study, string series, string instance, string frames, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study, series, instance), frames, thumbnail: true, wado, ct))
            .WithName("RetrieveFrameThumbnail").WithSummary("WADO-RS: thumbnail of a frame");
        group.MapGet("/studies/{study}/series/{series}/rendered", (HttpContext c, string study, string series, WadoServices wado, CancellationToken ct) =>
                RenderCollectionAsync(c, new RetrievalScope(study, series), wado, ct))
            .WithName("RetrieveRenderedSeries").WithSummary("WADO-RS: every frame of every image of a series rendered, as multipart/related image/jpeg or image/png");
        group.MapGet("/studies/{study}/rendered", (HttpContext c, string study, WadoServices wado, CancellationToken ct) =>
                RenderCollectionAsync(c, new RetrievalScope(study), wado, ct))
            .WithName("RetrieveRenderedStudy").WithSummary("WADO-RS: every frame of every image of a study rendered, as multipart/related image/jpeg or image/png");
        group.MapGet("/studies/{study}/series/{series}/thumbnail", (HttpContext c, string study, string series, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study, series), null, thumbnail: true, wado, ct))
            .WithName("RetrieveSeriesThumbnail").WithSummary("WADO-RS: thumbnail of a series (its middle image)");
        group.MapGet("/studies/{study}/thumbnail", (HttpContext c, string study, WadoServices wado, CancellationToken ct) =>
                RenderAsync(c, new RetrievalScope(study), null, thumbnail: true, wado, ct))
            .WithName("RetrieveStudyThumbnail").WithSummary("WADO-RS: thumbnail of a study (middle image of its first series)");
    }

    /// <summary>Renders frame <paramref name="frames"/> (one 1-based number; null = the representative image of the scope).</summary>
    public static async Task<IResult> RenderAsync(HttpContext context, RetrievalScope scope, string? frames, bool thumbnail, WadoServices wado,
        CancellationToken cancellationToken)
    {
        if (WadoRetrieveEndpoint.ScopeProblem(scope) is { } invalid) return invalid;
        int frameNumber = 1;
        if (frames is not null)
        {
            var numbers = FrameList.TryParse(frames, out var frameError);
            if (numbers is null) return ApiProblems.BadRequest(frameError!);
            if (numbers.Count != 1) return ApiProblems.BadRequest("A rendered frame resource names exactly one frame.");
            frameNumber = numbers[0];
        }
        var query = RenderedQuery.TryParse(context.Request.Query, thumbnail, out var queryError);
        if (query is null) return ApiProblems.BadRequest(queryError!);
        var negotiated = AcceptNegotiation.Select(context.Request.Headers.Accept, Offers);
        if (negotiated is null) return ApiProblems.NotAcceptable("Rendered images are served as image/jpeg or image/png.");

        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, thumbnail ? "WADO-RS thumbnail" : "WADO-RS rendered", cancellationToken)
            .ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var entry = Representative(entries, scope);
        if (entry is null) return ApiProblems.NotFound("The scope has no image with pixel data.");
        if (frameNumber > entry.FrameCount)
            return ApiProblems.NotFound($"Frame {frameNumber} does not exist; instance {entry.SopInstanceUid} has {entry.FrameCount} frame(s).");
        if (!DicomTranscoder.CanDecode(entry.TransferSyntaxUid))
            return ApiProblems.NotAcceptable($"Instance {entry.SopInstanceUid} is stored in {entry.TransferSyntaxUid}, which this archive cannot decode for rendering.");

        RenderedImage image;
        try
        {
            image = await RenderFrameAsync(entry, frameNumber, query.Options, wado.Retriever, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NotSupportedException or DicomFormatException)
        {
            return ApiProblems.NotAcceptable($"Instance {entry.SopInstanceUid} cannot be rendered: {ex.Message}");
        }
        var png = negotiated.Offer.MediaType == Png;
        var bytes = png ? PngEncoder.Encode(image) : TurboJpegEncoder.Encode(image, query.Quality);
        return Results.Bytes(bytes, png ? Png : Jpeg);
    }

    /// <summary>
    /// A rendered study or series: checked (query, Accept, access, decodable syntaxes) before the 200, then streamed
    /// part by part by <see cref="RenderedCollectionResult"/>.
    /// </summary>
    public static async Task<IResult> RenderCollectionAsync(HttpContext context, RetrievalScope scope, WadoServices wado, CancellationToken cancellationToken)
    {
        if (WadoRetrieveEndpoint.ScopeProblem(scope) is { } invalid) return invalid;
        var query = RenderedQuery.TryParse(context.Request.Query, thumbnail: false, out var queryError);
        if (query is null) return ApiProblems.BadRequest(queryError!);
        var negotiated = AcceptNegotiation.Select(context.Request.Headers.Accept, CollectionOffers);
        if (negotiated is null)
            return ApiProblems.NotAcceptable("A rendered study or series is served as multipart/related; type=\"image/jpeg\" or type=\"image/png\" (one part per frame).");

        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-RS rendered", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var images = entries.Where(e => e.FrameCount > 0).ToList();
        if (images.Count == 0) return ApiProblems.NotFound("The scope has no image with pixel data.");
        if (images.FirstOrDefault(e => !DicomTranscoder.CanDecode(e.TransferSyntaxUid)) is { } undecodable)
            return ApiProblems.NotAcceptable($"Instance {undecodable.SopInstanceUid} is stored in {undecodable.TransferSyntaxUid}, which this archive cannot decode for rendering.");
        var path = context.Request.PathBase + context.Request.Path;
        var root = path.Value![..path.Value!.LastIndexOf("/studies/", StringComparison.Ordinal)];
        return new RenderedCollectionResult(images, root, negotiated.Offer.PartType!, query, wado.Retriever);
    }

    /// <summary>Reads the header (up to the pixel data) and one frame's bytes, decodes and renders it.</summary>
    public static async Task<RenderedImage> RenderFrameAsync(InstanceEntry entry, int frameNumber, RenderOptions options, IInstanceRetriever retriever,
        CancellationToken cancellationToken)
    {
        DicomFile header;
        var stream = await retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
            header = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        var geometry = FrameGeometry.From(header.Dataset);
        if (entry.Frames.FramesLocatable)
        {
            var frame = (await retriever.ReadFramesAsync(entry, [frameNumber], cancellationToken).ConfigureAwait(false))[0];
            return FrameRenderer.RenderStored(header.Dataset, frame.Content.Span, geometry, header.TransferSyntax, options, frameNumber - 1);
        }
        // Frames not mapped at ingest (e.g. deflated data set): read the whole instance.
        var all = await retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
        await using (all.ConfigureAwait(false))
        {
            var file = await DicomFileReader.ReadAsync(all, cancellationToken: cancellationToken).ConfigureAwait(false);
            var (samples, decoded) = FrameDecoder.Decode(file.Dataset, file.TransferSyntax, frameNumber - 1);
            return FrameRenderer.Render(header.Dataset, samples, decoded, options, frameNumber - 1);
        }
    }

    /// <summary>The instance itself, else the middle image of the (first) series that has pixel data.</summary>
    private static InstanceEntry? Representative(IReadOnlyList<InstanceEntry> entries, RetrievalScope scope)
    {
        if (scope.SopInstanceUid is not null) return entries[0].FrameCount > 0 ? entries[0] : null;
        var images = entries.Where(e => e.FrameCount > 0).ToList();
        if (images.Count == 0) return null;
        var series = images[0].SeriesInstanceUid;
        var inSeries = images.Where(e => e.SeriesInstanceUid == series).ToList();
        return inSeries[inSeries.Count / 2];
    }
}
