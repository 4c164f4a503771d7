using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.DicomWeb.Wado;
using Mirc.Api.DicomWeb.Rendered;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.WadoUri;

/// <summary>
/// WADO-URI (PS3.18 §9): <c>GET /wado?requestType=WADO&amp;studyUID=…&amp;seriesUID=…&amp;objectUID=…&amp;contentType=application/dicom</c>
/// returns the stored Part 10 file (transcoded when <c>transferSyntax</c> names another syntax); <c>contentType=image/jpeg</c>
/// (the default) or <c>image/png</c> renders one frame with <c>windowCenter</c>/<c>windowWidth</c>, <c>rows</c>/<c>columns</c>,
/// <c>frameNumber</c> and <c>imageQuality</c>.
/// </summary>
public static class WadoUriEndpoint
{
    /// <summary>Maps the WADO-URI route on <paramref name="group"/>.</summary>
    public static RouteGroupBuilder MapWadoUri(this RouteGroupBuilder group)
    {
        group.WithTags("WADO-URI");
        group.MapGet("", RetrieveAsync).WithName("WadoUri").WithSummary("WADO-URI: retrieve one instance as application/dicom");
        return group;
    }

    /// <summary>Handles a WADO-URI request.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext context,
        string? requestType,
        string? studyUID,
        string? seriesUID,
        string? objectUID,
        string? contentType,
        string? transferSyntax,
        WadoServices wado,
        CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var errors = new Dictionary<string, string[]>();
        if (!string.Equals(requestType, "WADO", StringComparison.Ordinal)) errors["requestType"] = ["requestType must be WADO."];
        if (!Uids.IsValid(studyUID)) errors["studyUID"] = ["studyUID must be a Study Instance UID."];
        if (!Uids.IsValid(seriesUID)) errors["seriesUID"] = ["seriesUID must be a Series Instance UID."];
        if (!Uids.IsValid(objectUID)) errors["objectUID"] = ["objectUID must be a SOP Instance UID."];
        if (errors.Count > 0) return ApiProblems.Validation(errors, "The WADO-URI parameters are invalid.");

        var image = ImageType(contentType);
        if (image is null && !AcceptsDicom(contentType))
            return ApiProblems.NotAcceptable($"contentType '{contentType}' is not served; application/dicom, image/jpeg and image/png are.");
        RenderOptions? render = null;
        int frameNumber = 1, quality = 90;
        if (image is not null)
        {
            render = RenderParameters(query, errors, out frameNumber, out quality);
            if (errors.Count > 0) return ApiProblems.Validation(errors, "The WADO-URI rendering parameters are invalid.");
        }
        if (transferSyntax is not null && !Uids.IsValid(transferSyntax))
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["transferSyntax"] = ["transferSyntax must be a transfer syntax UID."] });

        var scope = new RetrievalScope(studyUID!, seriesUID, objectUID);
        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-URI", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var entry = entries[0];
        if (render is not null)
        {
            if (entry.FrameCount == 0) return ApiProblems.NotFound($"Instance {entry.SopInstanceUid} has no pixel data to render.");
            if (frameNumber > entry.FrameCount)
                return ApiProblems.NotFound($"Frame {frameNumber} does not exist; instance {entry.SopInstanceUid} has {entry.FrameCount} frame(s).");
            try
            {
                var rendered = await RenderedEndpoint.RenderFrameAsync(entry, frameNumber, render, wado.Retriever, cancellationToken).ConfigureAwait(false);
                return image == "image/png"
                    ? Results.Bytes(PngEncoder.Encode(rendered), "image/png")
                    : Results.Bytes(TurboJpegEncoder.Encode(rendered, quality), "image/jpeg");
            }
            catch (Exception ex) when (ex is NotSupportedException or DicomFormatException)
            {
                return ApiProblems.NotAcceptable($"Instance {entry.SopInstanceUid} cannot be rendered: {ex.Message}");
            }
        }

        if (transferSyntax is not null && transferSyntax != entry.TransferSyntaxUid)
        {
            if (!DicomTranscoder.CanTranscode(entry.TransferSyntaxUid, transferSyntax))
                return ApiProblems.NotAcceptable($"The instance is stored in transfer syntax {entry.TransferSyntaxUid}, which cannot be converted to {transferSyntax}" +
                    (PixelFrameCodecs.Find(transferSyntax)?.EncodeRefusal(null) is { } why ? $" ({why})." : "."));
            var stored = await wado.Retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
            await using (stored.ConfigureAwait(false))
            {
                var file = await DicomFileReader.ReadAsync(stored, cancellationToken: cancellationToken).ConfigureAwait(false);
                var target = DicomTransferSyntax.Lookup(transferSyntax);
                try
                {
                    return Results.Bytes(DicomFileWriter.Write(new DicomFile(DicomTranscoder.Transcode(file.Dataset, file.TransferSyntax, target), target)),
                        DicomMediaTypes.Dicom);
                }
                catch (Exception ex) when (ex is NotSupportedException or DicomFormatException)
                {
                    // E.g. a 16-bit image asked in baseline JPEG (8-bit only), or pixel data that cannot be decoded.
                    return ApiProblems.NotAcceptable($"The instance cannot be converted to {transferSyntax}: {ex.Message}");
                }
            }
        }

        var content = await wado.Retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
        return Results.Stream(content, DicomMediaTypes.Dicom, fileDownloadName: null, enableRangeProcessing: false);
    }

    /// <summary>image/jpeg (also the default when contentType is absent, PS3.18 §9.1.2.1) or image/png; null for anything else.</summary>
    private static string? ImageType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return "image/jpeg";
        foreach (var candidate in contentType.Split(','))
        {
            var bare = candidate.Split(';')[0].Trim().ToLowerInvariant();
            if (bare is "image/jpeg" or "image/png") return bare;
        }
        return null;
    }

    private static RenderOptions RenderParameters(IQueryCollection query, Dictionary<string, string[]> errors, out int frameNumber, out int quality)
    {
        double? center = Number(query, "windowCenter", errors), width = Number(query, "windowWidth", errors);
        if ((center is null) != (width is null)) errors["windowWidth"] = ["windowCenter and windowWidth go together."];
        else if (width is <= 0) errors["windowWidth"] = ["windowWidth must be positive."];
        int? rows = Integer(query, "rows", 1, 8192, errors), columns = Integer(query, "columns", 1, 8192, errors);
        frameNumber = Integer(query, "frameNumber", 1, int.MaxValue, errors) ?? 1;
        quality = Integer(query, "imageQuality", 1, 100, errors) ?? 90;
        if (query.ContainsKey("region")) errors["region"] = ["region is not supported."];
        return new RenderOptions
        {
            Window = center is { } c && width is { } w ? new VoiWindow(c, w) : null,
            MaxWidth = columns,
            MaxHeight = rows,
        };
    }

    private static double? Number(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (query[name].ToString() is not { Length: > 0 } text) return null;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        errors[name] = [$"{name} must be a number."];
        return null;
    }

    private static int? Integer(IQueryCollection query, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        if (query[name].ToString() is not { Length: > 0 } text) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        errors[name] = [$"{name} must be an integer from {min} to {max}."];
        return null;
    }

    private static bool AcceptsDicom(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        foreach (var candidate in contentType.Split(','))
        {
            var bare = candidate.Split(';')[0].Trim();
            if (bare.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase) || bare is "*/*" or "application/*") return true;
        }
        return false;
    }
}
