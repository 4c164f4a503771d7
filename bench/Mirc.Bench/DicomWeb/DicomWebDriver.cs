using System.Net.Http.Headers;
using System.Text.Json;
using Mirc.Bench.Data;

namespace Mirc.Bench.DicomWeb;

/// <summary>STOW-RS, QIDO-RS and WADO-RS requests of the benchmark; each returns the images and bytes it moved.</summary>
public sealed class DicomWebDriver(HttpClient http)
{
    /// <summary>Accept header asking for Part 10 files in whatever transfer syntax they are stored in.</summary>
    public const string AcceptDicom = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    /// <summary>Accept header asking for raw frames as stored.</summary>
    public const string AcceptFrames = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";

    /// <summary>Stores <paramref name="batch"/> in one STOW-RS request; fails unless the server answers 200 OK.</summary>
    public async Task<(long Images, long Bytes)> StoreAsync(IReadOnlyList<BenchInstance> batch, CancellationToken cancellationToken)
    {
        using var content = new MultipartRelatedContent(batch);
        using var request = new HttpRequestMessage(HttpMethod.Post, "studies") { Content = content };
        request.Headers.Accept.ParseAdd("application/dicom+json");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            throw new HttpRequestException($"STOW-RS answered {(int)response.StatusCode}: {Shorten(text)}");
        }

        return (batch.Count, content.Headers.ContentLength ?? 0);
    }

    /// <summary>QIDO-RS: the studies of <paramref name="patientId"/>; fails unless at least <paramref name="expectedStudies"/> match.</summary>
    public async Task<(long Images, long Bytes)> FindStudiesAsync(string patientId, int expectedStudies, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"studies?PatientID={Uri.EscapeDataString(patientId)}");
        request.Headers.Accept.ParseAdd("application/dicom+json");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "QIDO-RS", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(body);
        var matches = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.GetArrayLength() : 0;
        if (matches < expectedStudies)
        {
            throw new InvalidOperationException($"QIDO-RS found {matches} studies of {patientId}, expected {expectedStudies}");
        }

        return (0, body.Length);
    }

    /// <summary>
    /// WADO-RS of <paramref name="path"/> (relative to the root, e.g. <c>studies/1.2/series/3.4</c>) as multipart;
    /// fails unless exactly <paramref name="expectedParts"/> parts arrive.
    /// </summary>
    public async Task<(long Images, long Bytes)> RetrieveAsync(string path, string accept, int expectedParts, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "WADO-RS", cancellationToken).ConfigureAwait(false);
        var boundary = Boundary(response.Content.Headers.ContentType)
            ?? throw new InvalidOperationException($"WADO-RS answered {response.Content.Headers.ContentType} without a multipart boundary");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var count = await MultipartPartCounter.CountAsync(body, boundary, cancellationToken).ConfigureAwait(false);
        if (count.Parts != expectedParts || !count.Closed)
        {
            throw new InvalidOperationException($"WADO-RS {path} returned {count.Parts} parts (closed: {count.Closed}), expected {expectedParts}");
        }

        return (count.Parts, count.Bytes);
    }

    private static string? Boundary(MediaTypeHeaderValue? type) =>
        type?.Parameters.FirstOrDefault(p => p.Name.Equals("boundary", StringComparison.OrdinalIgnoreCase))?.Value?.Trim('"');

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new HttpRequestException($"{what} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {Shorten(text)}");
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
