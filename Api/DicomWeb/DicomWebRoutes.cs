using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.DicomWeb.Qido;
using Mirc.Api.DicomWeb.Stow;
using Mirc.Api.DicomWeb.Wado;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb;

/// <summary>The DICOMweb routes (STOW-RS, QIDO-RS, WADO-RS) under <see cref="DicomWebUrls.Prefix"/>.</summary>
public static class DicomWebRoutes
{
    /// <summary>Maps every DICOMweb service on <paramref name="group"/>.</summary>
    public static RouteGroupBuilder MapDicomWeb(this RouteGroupBuilder group)
    {
        group.WithTags("DICOMweb");
        MapStow(group);
        MapQido(group);
        MapWado(group);
        return group;
    }

    // No .Accepts(...) on STOW: its routing filter answers 415 with an empty body before the endpoint runs, and it
    // parses Content-Type strictly (Odil's unquoted type=application/dicom fails it). The endpoint checks the media
    // type itself, liberally, and explains a refusal.
    private static void MapStow(RouteGroupBuilder group)
    {
        group.MapPost("/studies", (HttpContext context, StowServices deps, CancellationToken ct) =>
                StowEndpoint.StoreAsync(context, null, deps, ct))
            .WithName("StowStudies").WithSummary("STOW-RS: store instances (multipart/related; type=\"application/dicom\")")
            .Produces(200, contentType: "application/dicom+json");
        group.MapPost("/studies/{study}", (HttpContext context, string study, StowServices deps, CancellationToken ct) =>
                StowEndpoint.StoreAsync(context, study, deps, ct))
            .WithName("StowStudy").WithSummary("STOW-RS: store instances of one study (multipart/related; type=\"application/dicom\")")
            .Produces(200, contentType: "application/dicom+json");
    }

    private static void MapQido(RouteGroupBuilder group)
    {
        group.MapGet("/studies", (HttpContext context, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Study, null, null, ct))
            .WithName("SearchStudies").WithSummary("QIDO-RS: search studies").Produces(200, contentType: "application/dicom+json");
        group.MapGet("/series", (HttpContext context, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Series, null, null, ct))
            .WithName("SearchSeries").WithSummary("QIDO-RS: search series").Produces(200, contentType: "application/dicom+json");
        group.MapGet("/instances", (HttpContext context, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Instance, null, null, ct))
            .WithName("SearchInstances").WithSummary("QIDO-RS: search instances").Produces(200, contentType: "application/dicom+json");
        group.MapGet("/studies/{study}/series", (HttpContext context, string study, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Series, study, null, ct))
            .WithName("SearchStudySeries").WithSummary("QIDO-RS: search the series of a study").Produces(200, contentType: "application/dicom+json");
        group.MapGet("/studies/{study}/instances", (HttpContext context, string study, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Instance, study, null, ct))
            .WithName("SearchStudyInstances").WithSummary("QIDO-RS: search the instances of a study").Produces(200, contentType: "application/dicom+json");
        group.MapGet("/studies/{study}/series/{series}/instances", (HttpContext context, string study, string series, QidoServices qido, CancellationToken ct) =>
                qido.SearchAsync(context, QidoLevel.Instance, study, series, ct))
            .WithName("SearchSeriesInstances").WithSummary("QIDO-RS: search the instances of a series").Produces(200, contentType: "application/dicom+json");
    }

    private static void MapWado(RouteGroupBuilder group)
    {
        group.MapGet("/studies/{study}", (HttpContext context, string study, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveAsync(context, new RetrievalScope(study), ct))
            .WithName("RetrieveStudy").WithSummary("WADO-RS: retrieve a study (multipart/related; type=\"application/dicom\")");
        group.MapGet("/studies/{study}/series/{series}", (HttpContext context, string study, string series, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveAsync(context, new RetrievalScope(study, series), ct))
            .WithName("RetrieveSeries").WithSummary("WADO-RS: retrieve a series");
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}", (HttpContext context, string study, string series, string instance, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveAsync(context, new RetrievalScope(study, series, instance), ct))
            .WithName("RetrieveInstance").WithSummary("WADO-RS: retrieve an instance");
        group.MapGet("/studies/{study}/metadata", (HttpContext context, string study, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveMetadataAsync(context, new RetrievalScope(study), ct))
            .WithName("RetrieveStudyMetadata").WithSummary("WADO-RS: metadata of a study as DICOM JSON");
        group.MapGet("/studies/{study}/series/{series}/metadata", (HttpContext context, string study, string series, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveMetadataAsync(context, new RetrievalScope(study, series), ct))
            .WithName("RetrieveSeriesMetadata").WithSummary("WADO-RS: metadata of a series as DICOM JSON");
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", (HttpContext context, string study, string series, string instance, WadoServices wado, CancellationToken ct) =>
                wado.RetrieveMetadataAsync(context, new RetrievalScope(study, series, instance), ct))
            .WithName("RetrieveInstanceMetadata").WithSummary("WADO-RS: metadata of an instance as DICOM JSON");
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", (HttpContext context, string study, string series, string instance, string frames, WadoServices wado, CancellationToken ct) =>
                WadoFramesEndpoint.RetrieveAsync(context, new RetrievalScope(study, series, instance), frames, wado, ct))
            .WithName("RetrieveFrames").WithSummary("WADO-RS: retrieve frames (comma-separated 1-based numbers)");
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/bulkdata/{*path}", (HttpContext context, string study, string series, string instance, string? path, WadoServices wado, CancellationToken ct) =>
                WadoBulkDataEndpoint.RetrieveAsync(context, new RetrievalScope(study, series, instance), path, wado, ct))
            .WithName("RetrieveBulkData").WithSummary("WADO-RS: retrieve a bulk data value named by a BulkDataURI (7FE00010 = pixel data)");
        Rendered.RenderedEndpoint.Map(group);
    }
}
