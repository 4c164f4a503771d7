using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>WADO-RS answers of one instance: the multipart/related body read back to that instance's bytes.</summary>
internal static class MultipartResponse
{
    /// <summary>The body of the one part of <paramref name="response"/>; fails when it holds another count of parts.</summary>
    public static async Task<byte[]> SinglePartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, await response.Content.ReadAsStreamAsync(ct));
        var section = await reader.ReadNextSectionAsync(ct);
        Assert.NotNull(section);
        using var body = new MemoryStream();
        await section.Body.CopyToAsync(body, ct);
        Assert.Null(await reader.ReadNextSectionAsync(ct));
        return body.ToArray();
    }
}
