using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.DicomWeb.Wado;
using Mirc.Api.Problems;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.WadoUri;

/// <summary>
/// WADO-URI (PS3.18 §9): <c>GET /wado?requestType=WADO&amp;studyUID=…&amp;seriesUID=…&amp;objectUID=…&amp;contentType=application/dicom</c>
/// returns the stored Part 10 file as is. Rendered media (image/jpeg…) are not produced: 406.
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
        var errors = new Dictionary<string, string[]>();
        if (!string.Equals(requestType, "WADO", StringComparison.Ordinal)) errors["requestType"] = ["requestType must be WADO."];
        if (!Uids.IsValid(studyUID)) errors["studyUID"] = ["studyUID must be a Study Instance UID."];
        if (!Uids.IsValid(seriesUID)) errors["seriesUID"] = ["seriesUID must be a Series Instance UID."];
        if (!Uids.IsValid(objectUID)) errors["objectUID"] = ["objectUID must be a SOP Instance UID."];
        if (errors.Count > 0) return ApiProblems.Validation(errors, "The WADO-URI parameters are invalid.");

        if (!AcceptsDicom(contentType))
            return ApiProblems.NotAcceptable($"contentType '{contentType ?? "image/jpeg (default)"}' is not served; only application/dicom is (rendering is not supported).");

        var scope = new RetrievalScope(studyUID!, seriesUID, objectUID);
        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-URI", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        var entry = entries[0];
        if (transferSyntax is not null && transferSyntax != entry.TransferSyntaxUid)
            return ApiProblems.NotAcceptable($"The instance is stored in transfer syntax {entry.TransferSyntaxUid}; transcoding is not supported.");

        var content = await wado.Retriever.OpenInstanceAsync(entry, cancellationToken).ConfigureAwait(false);
        return Results.Stream(content, DicomMediaTypes.Dicom, fileDownloadName: null, enableRangeProcessing: false);
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
