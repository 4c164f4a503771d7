using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Problems;
using Mirc.Dicom;
using Mirc.Grains.Ingest;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>
/// STOW-RS with metadata and bulk data (PS3.18 §10.5.1): <c>multipart/related; type="application/dicom+json"</c> whose
/// <c>application/dicom+json</c> part(s) hold an array of data sets and whose other parts hold the values their
/// BulkDataURIs name (matched on the part's Content-Location). Bulk data must be read before an instance can be built,
/// so the parts are gathered first (the request size limit bounds them), then each data set is written as a Part 10
/// file and ingested like an <c>application/dicom</c> part.
/// </summary>
public static partial class StowEndpoint
{
    private static async Task<(IResult? Problem, int Parts)> StoreMetadataPartsAsync(
        MultipartReader reader, string? study, IngestCaller caller, StowServices stow, DicomWebUrls urls, StoreResponse response,
        CancellationToken cancellationToken)
    {
        var datasets = new List<DicomDataset>();
        var bulkData = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var parts = 0;
        while (true)
        {
            MultipartSection? section;
            try
            {
                section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
                if (section is null) break;
                parts++;
                var body = await ReadPartAsync(section, cancellationToken).ConfigureAwait(false);
                var partType = section.ContentType ?? DicomMediaTypes.DicomJson;
                if (IsMediaType(partType, DicomMediaTypes.DicomJson) || IsMediaType(partType, DicomMediaTypes.Json))
                {
                    try
                    {
                        datasets.AddRange(DicomJson.ReadArray(body.Span));
                    }
                    catch (Exception ex) when (ex is JsonException or DicomFormatException or FormatException or InvalidOperationException)
                    {
                        response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, $"Part {parts}: the DICOM JSON metadata cannot be read: {ex.Message}"));
                    }
                }
                else if (section.Headers?.TryGetValue(HeaderNames.ContentLocation, out var location) == true && !string.IsNullOrEmpty(location))
                {
                    bulkData[location.ToString()] = body;
                }
                else
                {
                    response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand,
                        $"Part {parts} ({partType}) is neither DICOM JSON metadata nor bulk data with a Content-Location."));
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException)
            {
                if (parts == 0) return (ApiProblems.BadRequest($"The multipart body cannot be read: {ex.Message}", "Malformed multipart request"), 0);
                response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, $"The multipart body is malformed after part {parts}: {ex.Message}"));
                break;
            }
        }

        for (var i = 0; i < datasets.Count; i++)
        {
            var dataset = datasets[i];
            var sopClass = dataset.GetStringOrDefault(DicomTag.SOPClassUID);
            var sopInstance = dataset.GetStringOrDefault(DicomTag.SOPInstanceUID);
            var file = MetadataInstanceBuilder.TryBuild(dataset, bulkData, out var error);
            if (file is null)
            {
                response.Failed.Add(new FailedInstance(sopClass, sopInstance, StoreFailureReasons.CannotUnderstand, $"Data set {i + 1}: {error}"));
                continue;
            }
            using var content = new MemoryStream(file, writable: false);
            var outcome = await stow.Ingestor.IngestAsync(content, new IngestRequest
            {
                Caller = caller,
                Payload = IngestPayload.Part10File,
                ExpectedStudyInstanceUid = study,
                LengthHint = file.Length,
            }, cancellationToken).ConfigureAwait(false);
            Record(response, outcome, urls, i + 1);
            if (!outcome.IsSuccess) LogPartFailed(stow.Logger, i + 1, outcome.Status, outcome.Detail);
        }
        return (null, parts);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadPartAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        var length = ContentLength(section);
        using var buffer = new MemoryStream(length is > 0 and < int.MaxValue ? (int)length.Value : 64 * 1024);
        await section.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static bool IsMediaType(string mediaType, string expected)
    {
        var semicolon = mediaType.IndexOf(';');
        var bare = (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
        return bare.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }
}
