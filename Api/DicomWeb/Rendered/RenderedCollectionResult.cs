using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirc.Api.DicomWeb.Multipart;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Rendered;

/// <summary>
/// A rendered study or series (PS3.18 §10.4.1.1.3): every frame of every image instance of the scope, rendered, one
/// part each, in retrieval order. Parts are rendered and written one at a time (one frame's samples in memory), each
/// with the Content-Location of its frame's rendered resource. A frame that cannot be rendered once parts are on the
/// wire aborts the response: the client sees it incomplete, never a complete-looking one with an image missing.
/// </summary>
internal sealed partial class RenderedCollectionResult(
    IReadOnlyList<InstanceEntry> images, string dicomWebRoot, string mediaType, RenderedQuery query, IInstanceRetriever retriever) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        var writer = new MultipartRelatedWriter(httpContext.Response.BodyWriter);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = writer.ContentType(mediaType);
        int sent = 0;
        foreach (var entry in images)
        {
            for (int frame = 1; frame <= entry.FrameCount; frame++)
            {
                byte[] bytes;
                try
                {
                    var image = await RenderedEndpoint.RenderFrameAsync(entry, frame, query.Options, retriever, cancellationToken).ConfigureAwait(false);
                    bytes = mediaType == RenderedEndpoint.Png ? PngEncoder.Encode(image) : TurboJpegEncoder.Encode(image, query.Quality);
                }
                catch (Exception ex) when (ex is NotSupportedException or DicomFormatException)
                {
                    await FailAsync(httpContext, entry, frame, sent, ex).ConfigureAwait(false);
                    return;
                }
                var location = $"{dicomWebRoot}/studies/{entry.StudyInstanceUid}/series/{entry.SeriesInstanceUid}/instances/{entry.SopInstanceUid}/frames/{frame}/rendered";
                writer.BeginPart(mediaType, contentLocation: location, contentLength: bytes.Length);
                await writer.WriteContentAsync(bytes, cancellationToken).ConfigureAwait(false);
                sent++;
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Before any part: a 406 with the reason. After: the response is aborted (see the class summary).</summary>
    private async Task FailAsync(HttpContext httpContext, InstanceEntry failed, int frame, int sent, Exception error)
    {
        var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RenderedEndpoint));
        if (sent == 0 && !httpContext.Response.HasStarted)
        {
            httpContext.Response.ContentType = null;
            await ApiProblems.NotAcceptable($"Frame {frame} of instance {failed.SopInstanceUid} cannot be rendered: {error.Message}")
                .ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }
        LogRenderAborted(logger, failed.SopInstanceUid, frame, sent, error);
        httpContext.Abort();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "WADO-RS rendered: frame {Frame} of instance {SopInstanceUid} could not be rendered after {Sent} parts were sent; response aborted so the client sees it incomplete")]
    private static partial void LogRenderAborted(ILogger logger, string sopInstanceUid, int frame, int sent, Exception error);
}
