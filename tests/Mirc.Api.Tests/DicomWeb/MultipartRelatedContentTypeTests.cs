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
    public void Rejects_a_boundary_over_200_characters()
    {
        Assert.NotNull(MultipartRelatedContentType.TryParse("multipart/related; boundary=" + new string('b', 200), out _));
        Assert.Null(MultipartRelatedContentType.TryParse("multipart/related; boundary=" + new string('b', 201), out var error));
        Assert.Contains("longer than 200", error);
    }

    [Fact]
    public void Accepts_orthanc_73_character_boundary_and_odil_unquoted_type()
    {
        // Orthanc 1.10's STOW-RS client; Odil's (type and boundary as bare values, '/' inside).
        var orthanc = MultipartRelatedContentType.TryParse(
            "multipart/related; type=\"application/dicom\"; boundary=" + new string('7', 73), out var error);
        Assert.Null(error);
        Assert.Equal(73, orthanc?.Boundary.Length);
        var odil = MultipartRelatedContentType.TryParse("Multipart/Related;type=application/dicom;boundary=odil-b0undary+/x", out error);
        Assert.Null(error);
        Assert.Equal("application/dicom", odil?.RootType);
        Assert.Equal("odil-b0undary+/x", odil?.Boundary);
    }

    [Fact]
    public void Quoted_values_may_hold_separators()
    {
        var parsed = MultipartRelatedContentType.TryParse("multipart/related; boundary=\"a;b,c\\\"d\"; type=application/dicom", out var error);
        Assert.Null(error);
        Assert.Equal("a;b,c\"d", parsed?.Boundary);
        Assert.Equal("application/dicom", parsed?.RootType);
    }
}
