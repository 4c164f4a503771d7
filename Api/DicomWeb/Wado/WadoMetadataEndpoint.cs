using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Hosting;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;

namespace Mirc.Api.DicomWeb.Wado;

/// <summary>
/// WADO-RS metadata (PS3.18 §10.4.1.1.2): one DICOM JSON dataset per instance, read from the stored header only
/// (parsing stops at Pixel Data), with BulkDataURIs for Pixel Data and large binary or text values. Headers are read a
/// few instances ahead in parallel and written as they come, in order. The regional patient id is added as an Other
/// Patient IDs Sequence item (the stored instance is not changed).
/// </summary>
public static class WadoMetadataEndpoint
{
    private static readonly MediaOffer[] Offers = [new(DicomMediaTypes.DicomJson), new(DicomMediaTypes.Json)];

    /// <summary>Handles <c>GET …/metadata</c> at study, series or instance level.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext context,
        RetrievalScope scope,
        WadoServices wado,
        DicomWebUrls urls,
        CancellationToken cancellationToken)
    {
        if (WadoRetrieveEndpoint.ScopeProblem(scope) is { } invalid) return invalid;
        var negotiated = AcceptNegotiation.Select(context.Request.Headers.Accept, Offers);
        if (negotiated is null) return ApiProblems.NotAcceptable("Metadata is served as application/dicom+json.");
        var entries = await WadoRetrieveEndpoint.ResolveVisibleAsync(context, scope, wado, "WADO-RS metadata", cancellationToken).ConfigureAwait(false);
        if (entries is null) return ApiProblems.NotFound(WadoRetrieveEndpoint.NotFoundMessage(scope));
        return new MetadataResult(negotiated.Offer.MediaType, entries, wado.Retriever, urls, wado.Options, wado.Grains);
    }

    private sealed class MetadataResult(
        string mediaType, IReadOnlyList<InstanceEntry> entries, IInstanceRetriever retriever, DicomWebUrls urls, MircApiOptions options, IGrainFactory grains) : IResult
    {
        private readonly Dictionary<string, string?> _regionalIds = new(StringComparer.Ordinal);

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = mediaType;
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            writer.WriteStartArray();
            await foreach (var opened in retriever.OpenAsync(entries, options.RetrievePrefetch, cancellationToken).ConfigureAwait(false))
            {
                DicomFile header;
                await using (opened.ConfigureAwait(false))
                    header = await DicomFileReader.ReadAsync(opened.Content, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
                var instance = opened.Instance;
                var instanceUrl = urls.Instance(instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
                var dataset = header.Dataset;
                if (await RegionalIdAsync(instance.StudyInstanceUid).ConfigureAwait(false) is { } regional)
                    RegionalPatientIdentity.AddTo(dataset, regional, options.RegionalPatientIdIssuer);
                if (header.PixelData is { } pixelData)
                    dataset.Set(new DicomBulkDataReference(pixelData.Tag, pixelData.VR, $"{instanceUrl}/bulkdata/{BulkDataPath.Format([], pixelData.Tag)}"));
                DicomJson.Write(writer, dataset, new DicomJsonOptions
                {
                    BulkDataThreshold = options.BulkDataThreshold,
                    BulkDataUriResolver = (element, owner) => $"{instanceUrl}/bulkdata/{BulkDataPath.Format(PathTo(owner), element.Tag)}",
                });
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            writer.WriteEndArray();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The study's regional patient id (one grain call per study of the response).</summary>
        private async ValueTask<string?> RegionalIdAsync(string studyUid)
        {
            if (!_regionalIds.TryGetValue(studyUid, out var regional))
                _regionalIds[studyUid] = regional = (await grains.Reference<IStudyGrain>(studyUid).GetSummaryAsync().ConfigureAwait(false)).PatientId;
            return string.IsNullOrEmpty(regional) ? null : regional;
        }

        /// <summary>The (sequence, item) steps from the top-level dataset down to <paramref name="item"/>.</summary>
        private static List<(DicomTag Sequence, int Item)> PathTo(DicomDataset item)
        {
            var steps = new List<(DicomTag, int)>();
            for (var current = item; current.Parent is { } parent; current = parent)
            {
                foreach (var element in parent)
                {
                    if (element is DicomSequence sequence && sequence.Items.IndexOf(current) is var index and >= 0)
                    {
                        steps.Add((sequence.Tag, index));
                        break;
                    }
                }
            }
            steps.Reverse();
            return steps;
        }
    }
}
