using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Shares;
using Mirc.Dicom;
using Mirc.Grains.Retrieval;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

/// <summary>STOW-RS with <c>application/dicom+json</c> metadata and bulk data parts referenced by BulkDataURI.</summary>
public sealed class StowMetadataTests : IAsyncLifetime
{
    private static readonly DicomJsonOptions BulkEverything = new()
    {
        BulkDataThreshold = 1,
        BulkDataUriResolver = (element, owner) => element.Tag == DicomTag.PixelData || element.Tag == DicomTag.ImageComments
            ? $"http://example.test/bulk/{owner.GetString(DicomTag.SOPInstanceUID)}/{element.Tag.Value:X8}"
            : null,
    };

    private ShareTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ShareTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Metadata_and_bulk_data_are_stored_as_the_same_instances()
    {
        var study = StudyDescription.Create();
        var series = SyntheticInstance.NewUid();
        var originals = new[] { SyntheticInstance.Native(study, series, 1, 1), SyntheticInstance.Native(study, series, 1, 2, frames: 3) };
        var datasets = originals.Select(o => DicomFileReader.Read(o.Bytes).Dataset).ToList();

        using var response = await _host.Http.PostAsync("/dicomweb/studies", MetadataBody(datasets, bulkParts: true), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await StoredFilesAsync(study.StudyUid);
        Assert.Equal(originals.Length, stored.Count);
        foreach (var original in originals)
        {
            var file = stored[original.SopUid];
            Assert.True(Part10DataSet.Of(file).SequenceEqual(Part10DataSet.Of(original.Bytes)), $"dataset of {original.SopUid} differs");
        }
    }

    [Fact]
    public async Task Missing_bulk_data_fails_that_instance_with_its_uids()
    {
        var study = StudyDescription.Create();
        var original = SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1);

        using var response = await _host.Http.PostAsync("/dicomweb/studies",
            MetadataBody([DicomFileReader.Read(original.Bytes).Dataset], bulkParts: false), Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var failed = body.GetProperty("00081198").GetProperty("Value")[0];
        Assert.Equal(original.SopUid, failed.GetProperty("00081155").GetProperty("Value")[0].GetString());
        Assert.Equal(0xC000, failed.GetProperty("00081197").GetProperty("Value")[0].GetInt32());
        Assert.Empty(await StoredFilesAsync(study.StudyUid));
    }

    [Fact]
    public async Task Unreadable_metadata_is_a_failure_not_a_crash()
    {
        var content = new MultipartContent("related", "meta-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom+json\""));
        var part = new StringContent("[{\"00080018\": ", System.Text.Encoding.UTF8);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom+json");
        content.Add(part);

        using var response = await _host.Http.PostAsync("/dicomweb/studies", content, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private static MultipartContent MetadataBody(IReadOnlyList<DicomDataset> datasets, bool bulkParts)
    {
        var content = new MultipartContent("related", "meta-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom+json\""));
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json)) DicomJson.WriteArray(writer, datasets, BulkEverything);
        var metadata = new ByteArrayContent(json.ToArray());
        metadata.Headers.ContentType = new MediaTypeHeaderValue("application/dicom+json");
        content.Add(metadata);
        if (!bulkParts) return content;
        foreach (var dataset in datasets)
        {
            foreach (var tag in new[] { DicomTag.PixelData, DicomTag.ImageComments })
            {
                Assert.True(dataset.TryGetElement(tag, out var element));
                var part = new ByteArrayContent(element.Buffer.ToArray());
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                part.Headers.ContentLocation = new Uri(BulkEverything.BulkDataUriResolver!(element, dataset)!);
                content.Add(part);
            }
        }
        return content;
    }

    private async Task<Dictionary<string, byte[]>> StoredFilesAsync(string studyUid)
    {
        var retriever = _host.Services.GetRequiredService<IInstanceRetriever>();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in await retriever.ResolveAsync(new RetrievalScope(studyUid), Ct))
        {
            await using var stream = await retriever.OpenInstanceAsync(entry, Ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            files[entry.SopInstanceUid] = copy.ToArray();
        }
        return files;
    }
}
