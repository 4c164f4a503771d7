using Mirc.Api.DicomWeb.Wado;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class FramePartTypeTests
{
    private static InstanceEntry Entry(string transferSyntax, bool encapsulated) => new()
    {
        StudyInstanceUid = "1.2", SeriesInstanceUid = "1.2.3", SopInstanceUid = "1.2.3.4", SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
        TransferSyntaxUid = transferSyntax, BlobContainer = "c", BlobName = "n", Digest = "00", EstablishmentId = "e",
        Frames = new FrameLayout { FrameCount = 1, Encapsulated = encapsulated },
    };

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.50", true, "", "image/jpeg")]
    [InlineData("1.2.840.10008.1.2.4.80", true, "multipart/related; type=\"image/jls\"", "image/jls")]
    [InlineData("1.2.840.10008.1.2.4.90", true, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*", "application/octet-stream")]
    [InlineData("1.2.840.10008.1.2", false, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "application/octet-stream")]
    public void Serves_frames_as_stored_when_the_client_accepts_them(string transferSyntax, bool encapsulated, string accept, string expected)
    {
        var part = WadoFramesEndpoint.ChoosePartType(accept, Entry(transferSyntax, encapsulated), out _);
        Assert.NotNull(part);
        Assert.Equal(expected, part.PartType);
        Assert.Null(part.TargetTransferSyntax);
    }

    [Theory]
    // octet-stream means Explicit VR Little Endian when no transfer-syntax is given (PS3.18 Table 8.7.3-5): decoded.
    [InlineData("1.2.840.10008.1.2.4.50", true, "multipart/related; type=\"application/octet-stream\"", "application/octet-stream", "1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.4.70", true, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "application/octet-stream", "1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.4.50", true, "multipart/related; type=\"image/jp2\"", "image/jp2", "1.2.840.10008.1.2.4.90")]
    [InlineData("1.2.840.10008.1.2.5", true, "multipart/related; type=\"image/jls\"; transfer-syntax=1.2.840.10008.1.2.4.81", "image/jls", "1.2.840.10008.1.2.4.81")]
    [InlineData("1.2.840.10008.1.2.1", false, "multipart/related; type=\"image/jpeg\"", "image/jpeg", "1.2.840.10008.1.2.4.70")]
    public void Converts_frames_into_the_syntax_the_client_names(string transferSyntax, bool encapsulated, string accept, string expectedType, string expectedSyntax)
    {
        var part = WadoFramesEndpoint.ChoosePartType(accept, Entry(transferSyntax, encapsulated), out _);
        Assert.NotNull(part);
        Assert.Equal(expectedType, part.PartType);
        Assert.Equal(expectedSyntax, part.TargetTransferSyntax);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.50", true, "multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.51")] // no 12-bit JPEG encoder
    [InlineData("1.2.840.10008.1.2.4.100", true, "multipart/related; type=\"application/octet-stream\"")] // MPEG-2: no decoder
    [InlineData("1.2.840.10008.1.2.1", false, "multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.80")] // syntax of another type
    [InlineData("1.2.840.10008.1.2.1", false, "application/dicom")]
    public void Refuses_what_cannot_be_produced_with_the_reason(string transferSyntax, bool encapsulated, string accept)
    {
        Assert.Null(WadoFramesEndpoint.ChoosePartType(accept, Entry(transferSyntax, encapsulated), out var refusal));
        Assert.False(string.IsNullOrEmpty(refusal));
    }
}
