using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Mirc.Api.Tests.DicomWeb.EndToEnd;

/// <summary>What the tests need of a DICOMweb client: multipart STOW bodies and multipart/JSON responses.</summary>
public static class DicomWebClientExtensions
{
    /// <summary>A STOW-RS body: one application/dicom part per instance.</summary>
    public static MultipartContent StowBody(IEnumerable<byte[]> instances)
    {
        var content = new MultipartContent("related", "stow-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new System.Net.Http.Headers.NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var instance in instances)
        {
            var part = new ByteArrayContent(instance);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        return content;
    }

    /// <summary>Stores instances and returns the response.</summary>
    public static Task<HttpResponseMessage> StowAsync(this HttpClient http, IEnumerable<byte[]> instances, string? study = null) =>
        http.PostAsync(study is null ? "/dicomweb/studies" : $"/dicomweb/studies/{study}", StowBody(instances), TestContextToken);

    /// <summary>GET with an Accept header.</summary>
    public static Task<HttpResponseMessage> GetAsync(this HttpClient http, string url, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return http.SendAsync(request, TestContextToken);
    }

    /// <summary>The parts of a multipart/related response, with their headers.</summary>
    public static async Task<IReadOnlyList<(string ContentType, IDictionary<string, Microsoft.Extensions.Primitives.StringValues> Headers, byte[] Body)>> ReadPartsAsync(this HttpResponseMessage response)
    {
        var contentType = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value!;
        var reader = new MultipartReader(boundary, await response.Content.ReadAsStreamAsync(TestContextToken));
        var parts = new List<(string, IDictionary<string, Microsoft.Extensions.Primitives.StringValues>, byte[])>();
        while (await reader.ReadNextSectionAsync(TestContextToken) is { } section)
        {
            var body = new MemoryStream();
            await section.Body.CopyToAsync(body, TestContextToken);
            parts.Add((section.ContentType ?? "", section.Headers!, body.ToArray()));
        }
        return parts;
    }

    /// <summary>The JSON body of a response.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContextToken);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>First value of a DICOM JSON attribute as text (PN: the Alphabetic group).</summary>
    public static string? DicomValue(this JsonElement dataset, string tag)
    {
        if (!dataset.TryGetProperty(tag, out var element) || !element.TryGetProperty("Value", out var values) || values.GetArrayLength() == 0) return null;
        var first = values[0];
        return first.ValueKind switch
        {
            JsonValueKind.Object => first.TryGetProperty("Alphabetic", out var alphabetic) ? alphabetic.GetString() : first.ToString(),
            JsonValueKind.String => first.GetString(),
            _ => first.GetRawText(),
        };
    }

    private static CancellationToken TestContextToken => Xunit.TestContext.Current.CancellationToken;
}
