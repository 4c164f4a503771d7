using Mirc.Api.DicomWeb.Multipart;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class MultipartRelatedContentTypeTests
{
    [Fact]
    public void Parses_boundary_and_type()
    {
        var parsed = MultipartRelatedContentType.TryParse("multipart/related; type=\"application/dicom\"; boundary=\"abc 123\"", out var error);
        Assert.Null(error);
        Assert.Equal("abc 123", parsed?.Boundary);
        Assert.Equal("application/dicom", parsed?.RootType);
    }

    [Theory]
    [InlineData(null, "no valid Content-Type")]
    [InlineData("application/dicom", "not multipart/related")]
    [InlineData("multipart/related; type=\"application/dicom\"", "no boundary")]
    public void Rejects_unusable_content_types(string? contentType, string expected)
    {
        Assert.Null(MultipartRelatedContentType.TryParse(contentType, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Rejects_overlong_boundary()
    {
        Assert.Null(MultipartRelatedContentType.TryParse("multipart/related; boundary=" + new string('b', 71), out var error));
        Assert.Contains("longer than 70", error);
    }
}
